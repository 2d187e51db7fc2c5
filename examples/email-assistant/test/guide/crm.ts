// crm.ts: your CRM. Writ asks it, at each call, whether an address is one of the user's contacts.
const contacts: Record<string, string[]> = { sam: ["dana@acme.example"] };

export async function isContact(user: string, email: string): Promise<boolean> {
  return contacts[user]?.includes(email.toLowerCase()) ?? false;
}
