/**
 * The last `max` results of a pure, costly computation, by key (the oldest is dropped first). A
 * computation that throws stores nothing. Results are shared between callers: keep them read-only.
 */
export function recentResults<V>(max: number): (key: string, compute: () => V) => V {
  const results = new Map<string, V>();
  return (key, compute) => {
    let value = results.get(key);
    if (value === undefined) {
      value = compute();
      if (results.size >= max) results.delete(results.keys().next().value!);
      results.set(key, value);
    }
    return value;
  };
}
