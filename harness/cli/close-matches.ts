/** Levenshtein distance (small strings: scenario ids). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Up to `max` known names close to `input`: those containing it (or contained in it), then those
 * within an edit distance of a third of its length, nearest first.
 */
export function closeMatches(input: string, known: readonly string[], max = 3): string[] {
  const needle = input.toLowerCase();
  const scored = known
    .map((name) => {
      const contains = name.includes(needle) || (needle.length > 3 && needle.includes(name));
      const words = needle.split(/[-_\s]+/).filter((w) => w.length > 2);
      const shared = words.filter((w) => name.includes(w)).length;
      return { name, score: contains ? -1 : distance(needle, name) - shared * 2 };
    })
    .filter((s) => s.score <= Math.max(2, Math.ceil(needle.length / 3)))
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  return scored.slice(0, max).map((s) => s.name);
}
