import { decodeHistogram, encodeHistogram, type Histogram, type LatencySummary, summarize } from '../../src/metrics/histogram.js';

/**
 * The summary of a histogram as it reads after crossing the wire. HDR keeps buckets, not samples:
 * the max becomes its top bucket's highest value, as every encoded snapshot's does.
 */
export function shipped(h: Histogram): LatencySummary {
  const d = decodeHistogram(encodeHistogram(h));
  try {
    return summarize(d);
  } finally {
    d.destroy();
  }
}
