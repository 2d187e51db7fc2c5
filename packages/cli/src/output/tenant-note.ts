/** What follows an agent's or role's name about its tenancy: its tenant, shared by every tenant, or nothing (the default tenant). */
export function tenantNote(
  of: { readonly tenant?: string; readonly shared?: boolean },
  dim: (text: string) => string,
): string {
  if (of.shared) return dim(" (shared: serves every tenant)");
  return of.tenant ? dim(` (tenant ${of.tenant})`) : "";
}
