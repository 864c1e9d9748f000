export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** The median of each numeric field over rounds (objects of the same shape). */
export function medianOf(rounds) {
  const result = {};
  for (const key of Object.keys(rounds[0])) {
    result[key] = typeof rounds[0][key] === 'number' ? median(rounds.map((round) => round[key])) : rounds[0][key];
  }
  return result;
}

/** How far apart the rounds were: (max − min) / median. */
export function spread(values) {
  const middle = median(values);
  return middle === 0 ? 0 : (Math.max(...values) - Math.min(...values)) / middle;
}
