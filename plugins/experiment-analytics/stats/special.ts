// Special functions the tests need, without dependencies: log-gamma and the regularized
// upper incomplete gamma function (for the one-shot chi-square p-value).

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
const STIRLING_FROM = 10;

/**
 * log Γ(x) for x > 0.
 *
 * Method: for x ≥ 10 the Stirling series
 *   (x − ½)·log x − x + ½·log 2π + Σ_{k=1..7} B_{2k} / (2k(2k−1)·x^{2k−1}),
 * whose truncation error is below the first omitted term, 3617/(122400·x^15) ≤ 3e-17 at
 * x = 10; for 0 < x < 10 the recurrence log Γ(x) = log Γ(x + j) − log(x(x+1)…(x+j−1)),
 * shifting x to ≥ 10.
 *
 * Accuracy (checked against mpmath at 50 digits in special.test.ts): absolute error below
 * ~1e-14 for x ≤ 10; relative error below ~1e-15 beyond, i.e. absolute error about
 * 1e-16·x·log x (≈ 2e-6 at x = 1e9), which is the rounding of the leading terms and no
 * double-precision method can avoid. Near the zeros x = 1 and x = 2 the error is absolute,
 * not relative. Throws RangeError for x ≤ 0 or non-finite x.
 */
export function logGamma(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) {
    throw new RangeError(`logGamma needs a finite x > 0, got ${x}`);
  }
  if (x === 1 || x === 2) return 0;
  if (x >= STIRLING_FROM) return stirling(x);
  let shifted = x;
  let product = 1;
  while (shifted < STIRLING_FROM) {
    product *= shifted;
    shifted += 1;
  }
  return stirling(shifted) - Math.log(product);
}

function stirling(x: number): number {
  const inv = 1 / x;
  const inv2 = inv * inv;
  // Bernoulli terms B_{2k}/(2k(2k−1)) for k = 1..7, in Horner form in 1/x².
  const series =
    inv *
    (1 / 12 +
      inv2 *
        (-1 / 360 +
          inv2 *
            (1 / 1260 +
              inv2 * (-1 / 1680 + inv2 * (1 / 1188 + inv2 * (-691 / 360360 + inv2 * (1 / 156)))))));
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_TWO_PI + series;
}

/** log B(a) = Σ log Γ(a_g) − log Γ(Σ a_g), the log of the multivariate Beta function. */
export function logMultivariateBeta(a: readonly number[]): number {
  let sumLogGamma = 0;
  let total = 0;
  for (const value of a) {
    sumLogGamma += logGamma(value);
    total += value;
  }
  return sumLogGamma - logGamma(total);
}

const GAMMA_EPSILON = 1e-15;
const GAMMA_MAX_ITERATIONS = 10_000;
const TINY = 1e-300;

/**
 * Q(s, x) = Γ(s, x)/Γ(s), the regularized upper incomplete gamma function, for s > 0 and
 * x ≥ 0: the series for P = 1 − Q when x < s + 1, else the continued fraction (modified
 * Lentz), as in Numerical Recipes §6.2. Relative accuracy ~1e-14 in the tail.
 */
export function regularizedGammaQ(s: number, x: number): number {
  if (!(s > 0) || !(x >= 0)) throw new RangeError(`regularizedGammaQ needs s > 0 and x ≥ 0`);
  if (x === 0) return 1;
  if (x === Number.POSITIVE_INFINITY) return 0;
  const logPrefactor = s * Math.log(x) - x - logGamma(s);
  if (x < s + 1) {
    let term = 1 / s;
    let sum = term;
    for (let i = 1; i < GAMMA_MAX_ITERATIONS; i++) {
      term *= x / (s + i);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * GAMMA_EPSILON) break;
    }
    return Math.max(0, 1 - sum * Math.exp(logPrefactor));
  }
  let b = x + 1 - s;
  let c = 1 / TINY;
  let d = 1 / b;
  let fraction = d;
  for (let i = 1; i < GAMMA_MAX_ITERATIONS; i++) {
    const an = -i * (i - s);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const step = d * c;
    fraction *= step;
    if (Math.abs(step - 1) < GAMMA_EPSILON) break;
  }
  return Math.exp(logPrefactor) * fraction;
}
