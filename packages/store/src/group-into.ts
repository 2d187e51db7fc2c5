/** The group for `key` in `groups`, created empty on first use. */
export function groupInto<K, G>(groups: Map<K, G>, key: K, create: () => G): G {
  let group = groups.get(key);
  if (group === undefined) {
    group = create();
    groups.set(key, group);
  }
  return group;
}
