// WASM SIMD kernels of @siamese/backend (see docs/performance.md).
//
// Built by build/kernels.mjs with clang --target=wasm32 -msimd128 -mbulk-memory. The module IMPORTS the memory of
// tfjs-backend-wasm, so every pointer below is an address in the tfjs heap and kernels read and write tensors in
// place. Hence three rules, checked by the build: no static data (it would be copied over the tfjs heap at
// instantiation), no shadow stack (same reason), no libc. Widths that are not a multiple of 4 take a scalar tail.

#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

typedef float f32;
typedef int32_t i32;

// ---------------------------------------------------------------------------------------------------------------
// Transcendentals. exp: Cephes range reduction x = n·ln2 + r, |r| ≤ ln2/2, degree-7 polynomial (relative error
// ~2e-7 over the clamped range). sigmoid = 1/(1+e^-x). tanh = 1 − 2/(e^2x + 1), and its odd Taylor polynomial
// below |x| < 1/16, where that form would cancel.

static inline v128_t vexp(v128_t x) {
  // pmin/pmax are single instructions (f32x4.min/max carry NaN fix-ups). Adding 1.5·2²³ rounds x·log2(e) to the
  // nearest integer n and leaves n in the low mantissa bits, which then build 2ⁿ without a float→int conversion.
  const v128_t magic = wasm_f32x4_splat(12582912.0f);
  x = wasm_f32x4_pmin(wasm_f32x4_pmax(x, wasm_f32x4_splat(-87.3f)), wasm_f32x4_splat(88.3f));
  v128_t t = wasm_f32x4_add(wasm_f32x4_mul(x, wasm_f32x4_splat(1.44269504088896341f)), magic);
  v128_t n = wasm_f32x4_sub(t, magic);
  v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(n, wasm_f32x4_splat(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, wasm_f32x4_splat(-2.12194440e-4f)));
  v128_t p = wasm_f32x4_splat(1.9875691500e-4f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.3981999507e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(8.3334519073e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(4.1665795894e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.6666665459e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(5.0000001201e-1f));
  p = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(p, r), r), r), wasm_f32x4_splat(1.0f));
  v128_t e = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_sub(t, magic), wasm_i32x4_splat(127)), 23);
  return wasm_f32x4_mul(p, e);
}

static inline v128_t vsigmoid(v128_t x) {
  v128_t one = wasm_f32x4_splat(1.0f);
  return wasm_f32x4_div(one, wasm_f32x4_add(one, vexp(wasm_f32x4_neg(x))));
}

static inline v128_t vtanh(v128_t x) {
  v128_t one = wasm_f32x4_splat(1.0f);
  v128_t big = wasm_f32x4_sub(
      one, wasm_f32x4_div(wasm_f32x4_splat(2.0f), wasm_f32x4_add(vexp(wasm_f32x4_add(x, x)), one)));
  v128_t x2 = wasm_f32x4_mul(x, x);
  v128_t p = wasm_f32x4_splat(-17.0f / 315.0f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, x2), wasm_f32x4_splat(2.0f / 15.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, x2), wasm_f32x4_splat(-1.0f / 3.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, x2), one);
  v128_t small = wasm_f32x4_lt(wasm_f32x4_abs(x), wasm_f32x4_splat(0.0625f));
  return wasm_v128_bitselect(wasm_f32x4_mul(x, p), big, small);
}

// tanh to an absolute error of ~2e-7 (2σ(2x) − 1, no small-|x| branch): enough inside the LSTM cell, where
// values are summed, and 15% cheaper there than vtanh.
static inline v128_t vtanh_abs(v128_t x) {
  v128_t one = wasm_f32x4_splat(1.0f);
  return wasm_f32x4_sub(
      wasm_f32x4_div(wasm_f32x4_splat(2.0f), wasm_f32x4_add(one, vexp(wasm_f32x4_neg(wasm_f32x4_add(x, x))))), one);
}

// Scalar versions share the vector code (lane 0), so both paths give identical numbers.
static inline f32 ssigmoid(f32 x) { return wasm_f32x4_extract_lane(vsigmoid(wasm_f32x4_splat(x)), 0); }
static inline f32 stanh(f32 x) { return wasm_f32x4_extract_lane(vtanh(wasm_f32x4_splat(x)), 0); }
static inline f32 stanh_abs(f32 x) { return wasm_f32x4_extract_lane(vtanh_abs(wasm_f32x4_splat(x)), 0); }

#define LD(p) wasm_v128_load(p)
#define ST(p, v) wasm_v128_store(p, v)

// ---------------------------------------------------------------------------------------------------------------
// Element-wise tanh (tfjs Tanh; Sigmoid stays on XNNPACK's own vectorised kernel).

EXPORT(tanh_) void tanh_(const f32 *x, f32 *y, i32 n) {
  i32 i = 0;
  for (; i + 4 <= n; i += 4) ST(y + i, vtanh(LD(x + i)));
  for (; i < n; i++) y[i] = stanh(x[i]);
}

// ---------------------------------------------------------------------------------------------------------------
// Adam, tfjs' formula: m' = β1·m + (1−β1)·g, v' = β2·v + (1−β2)·g², x' = x − step·m' / (√(v'·scale) + ε), with
// step = lr / (1 − β1ᵗ) and scale = 1 / (1 − β2ᵗ). Outputs may alias inputs element for element.

EXPORT(adam)
void adam(const f32 *x, const f32 *g, const f32 *m, const f32 *v, f32 *xo, f32 *mo, f32 *vo, i32 n, f32 step,
          f32 scale, f32 beta1, f32 beta2, f32 eps) {
  v128_t b1 = wasm_f32x4_splat(beta1), b2 = wasm_f32x4_splat(beta2);
  v128_t c1 = wasm_f32x4_splat(1.0f - beta1), c2 = wasm_f32x4_splat(1.0f - beta2);
  v128_t st = wasm_f32x4_splat(step), sc = wasm_f32x4_splat(scale), ep = wasm_f32x4_splat(eps);
  i32 i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t gi = LD(g + i);
    v128_t mi = wasm_f32x4_add(wasm_f32x4_mul(b1, LD(m + i)), wasm_f32x4_mul(c1, gi));
    v128_t vi = wasm_f32x4_add(wasm_f32x4_mul(b2, LD(v + i)), wasm_f32x4_mul(c2, wasm_f32x4_mul(gi, gi)));
    v128_t den = wasm_f32x4_add(wasm_f32x4_sqrt(wasm_f32x4_mul(vi, sc)), ep);
    ST(xo + i, wasm_f32x4_sub(LD(x + i), wasm_f32x4_div(wasm_f32x4_mul(st, mi), den)));
    ST(mo + i, mi);
    ST(vo + i, vi);
  }
  for (; i < n; i++) {
    f32 gi = g[i];
    f32 mi = beta1 * m[i] + (1.0f - beta1) * gi;
    f32 vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
    xo[i] = x[i] - step * mi / (__builtin_sqrtf(vi * scale) + eps);
    mo[i] = mi;
    vo[i] = vi;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Embedding bag: out[b] = Σ_t w[b,t]·table[ids[b,t]]. Returns -1, or the flat position of the first id outside
// [0, V) that has a non-zero weight (the caller reports it; out is then incomplete).

static inline void axpy(f32 *y, const f32 *x, f32 a, i32 d) {
  v128_t av = wasm_f32x4_splat(a);
  i32 k = 0;
  for (; k + 4 <= d; k += 4) ST(y + k, wasm_f32x4_add(LD(y + k), wasm_f32x4_mul(av, LD(x + k))));
  for (; k < d; k++) y[k] += a * x[k];
}

static inline f32 dot(const f32 *a, const f32 *b, i32 d) {
  v128_t acc = wasm_f32x4_splat(0.0f);
  i32 k = 0;
  for (; k + 4 <= d; k += 4) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(LD(a + k), LD(b + k)));
  f32 s = wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1) + wasm_f32x4_extract_lane(acc, 2) +
          wasm_f32x4_extract_lane(acc, 3);
  for (; k < d; k++) s += a[k] * b[k];
  return s;
}

EXPORT(embedding_bag)
i32 embedding_bag(const f32 *table, const i32 *ids, const f32 *w, f32 *out, i32 B, i32 T, i32 D, i32 V) {
  __builtin_memset(out, 0, (uint32_t)B * (uint32_t)D * 4u);
  for (i32 b = 0; b < B; b++) {
    for (i32 t = 0; t < T; t++) {
      f32 wt = w[b * T + t];
      if (wt == 0.0f) continue;
      i32 id = ids[b * T + t];
      if (id < 0 || id >= V) return b * T + t;
      axpy(out + b * D, table + id * D, wt, D);
    }
  }
  return -1;
}

// Backward: dtable (dense [V, D], zeroed here) += w[b,t]·dy[b] at ids[b,t]; dw[b,t] = dy[b]·table[ids[b,t]].
EXPORT(embedding_bag_grad)
i32 embedding_bag_grad(const f32 *dy, const f32 *table, const i32 *ids, const f32 *w, f32 *dtable, f32 *dw, i32 B,
                       i32 T, i32 D, i32 V) {
  __builtin_memset(dtable, 0, (uint32_t)V * (uint32_t)D * 4u);
  for (i32 b = 0; b < B; b++) {
    for (i32 t = 0; t < T; t++) {
      i32 p = b * T + t;
      i32 id = ids[p];
      if (id < 0 || id >= V) {
        if (w[p] != 0.0f) return p;
        dw[p] = 0.0f;
        continue;
      }
      dw[p] = dot(dy + b * D, table + id * D, D);
      if (w[p] != 0.0f) axpy(dtable + id * D, dy + b * D, w[p], D);
    }
  }
  return -1;
}

// UnsortedSegmentSum (the gradient of gather): out (dense [V, D], zeroed here) += x[i] at ids[i]. As TF,
// out-of-range ids are dropped.
EXPORT(scatter_add_rows)
void scatter_add_rows(const f32 *x, const i32 *ids, f32 *out, i32 N, i32 D, i32 V) {
  __builtin_memset(out, 0, (uint32_t)V * (uint32_t)D * 4u);
  for (i32 i = 0; i < N; i++) {
    i32 id = ids[i];
    if (id >= 0 && id < V) axpy(out + id * D, x + i * D, 1.0f, D);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// LSTM (gate order i, f, g, o as PyTorch). One call per time step t after z = h_{t-1}·U (rows of `active`):
// gates, c and h for the active rows, then every row's state is recorded at t (pads carry h and c over, and
// their acts are zero). Layouts: xp [B,T,4H], acts [B,T,5H] = i, f, g, o, tanh c; hs, cs [B,T,H]; carries [B,H].
// acts and cs may be 0 (inference: nothing is kept for a gradient), which saves most of the memory traffic; hs
// may be 0 when only the final states (h_carry) are wanted.
// With ids (non-0), xp is a [V,4H] table of per-token projections and step t of row b reads row ids[b,T+t].

EXPORT(lstm_forward_step)
void lstm_forward_step(const f32 *z, const f32 *xp, const i32 *ids, f32 *acts, f32 *c_carry, f32 *h_carry, f32 *hs,
                       f32 *cs, const i32 *active, i32 n, i32 B, i32 T, i32 t, i32 H) {
  const i32 G = 4 * H;
  for (i32 r = 0; r < n; r++) {
    const i32 b = active[r];
    const f32 *zr = z + r * G;
    const f32 *xr = xp + (ids ? ids[b * T + t] : b * T + t) * G;
    f32 *ar = acts ? acts + (b * T + t) * 5 * H : 0;
    f32 *cc = c_carry + b * H;
    f32 *hc = h_carry + b * H;
    i32 k = 0;
    for (; k + 4 <= H; k += 4) {
      v128_t i = vsigmoid(wasm_f32x4_add(LD(zr + k), LD(xr + k)));
      v128_t f = vsigmoid(wasm_f32x4_add(LD(zr + H + k), LD(xr + H + k)));
      v128_t g = vtanh_abs(wasm_f32x4_add(LD(zr + 2 * H + k), LD(xr + 2 * H + k)));
      v128_t o = vsigmoid(wasm_f32x4_add(LD(zr + 3 * H + k), LD(xr + 3 * H + k)));
      v128_t c = wasm_f32x4_add(wasm_f32x4_mul(f, LD(cc + k)), wasm_f32x4_mul(i, g));
      v128_t tc = vtanh_abs(c);
      if (ar) {
        ST(ar + k, i);
        ST(ar + H + k, f);
        ST(ar + 2 * H + k, g);
        ST(ar + 3 * H + k, o);
        ST(ar + 4 * H + k, tc);
      }
      ST(cc + k, c);
      ST(hc + k, wasm_f32x4_mul(o, tc));
    }
    for (; k < H; k++) {
      f32 i = ssigmoid(zr[k] + xr[k]);
      f32 f = ssigmoid(zr[H + k] + xr[H + k]);
      f32 g = stanh_abs(zr[2 * H + k] + xr[2 * H + k]);
      f32 o = ssigmoid(zr[3 * H + k] + xr[3 * H + k]);
      f32 c = f * cc[k] + i * g;
      f32 tc = stanh_abs(c);
      if (ar) {
        ar[k] = i;
        ar[H + k] = f;
        ar[2 * H + k] = g;
        ar[3 * H + k] = o;
        ar[4 * H + k] = tc;
      }
      cc[k] = c;
      hc[k] = o * tc;
    }
  }
  for (i32 b = 0, r = 0; b < B; b++) {
    const i32 row = (b * T + t) * H;
    if (r < n && active[r] == b) r++;
    else if (acts) __builtin_memset(acts + row * 5, 0, (uint32_t)(5 * H) * 4u);
    if (hs) __builtin_memcpy(hs + row, h_carry + b * H, (uint32_t)H * 4u);
    if (cs) __builtin_memcpy(cs + row, c_carry + b * H, (uint32_t)H * 4u);
  }
}

// Backward of one step t (tp = the previous step, or -1 at the first). For every row: pads pass dh and dc through
// to the carries; active rows get dG = d(i, f, g, o pre-activations), appended to dGV at row `rows` (with
// h_{tp} appended to hPrevV for the dU product), copied into dxp, and the carries reset (dc) or cleared (dh: the
// caller adds dG·Uᵀ). Returns the new number of appended rows.
EXPORT(lstm_backward_step)
i32 lstm_backward_step(const f32 *dhs, const f32 *dcs, const f32 *acts, const f32 *cs, const f32 *hs, f32 *dxp,
                       f32 *h_prev_v, f32 *dg_v, f32 *dh_carry, f32 *dc_carry, const i32 *active, i32 n, i32 B,
                       i32 T, i32 t, i32 tp, i32 rows, i32 H) {
  const i32 G = 4 * H;
  const v128_t one = wasm_f32x4_splat(1.0f);
  for (i32 b = 0, r = 0; b < B; b++) {
    const i32 row = (b * T + t) * H;
    f32 *dhc = dh_carry + b * H;
    f32 *dcc = dc_carry + b * H;
    f32 *dxr = dxp + (b * T + t) * G;
    if (!(r < n && active[r] == b)) {
      for (i32 k = 0; k < H; k++) {
        dhc[k] += dhs[row + k];
        dcc[k] += dcs[row + k];
      }
      __builtin_memset(dxr, 0, (uint32_t)G * 4u);
      continue;
    }
    r++;
    f32 *gr = dg_v + rows * G;
    if (tp < 0) __builtin_memset(h_prev_v + rows * H, 0, (uint32_t)H * 4u);
    else __builtin_memcpy(h_prev_v + rows * H, hs + (b * T + tp) * H, (uint32_t)H * 4u);
    rows++;
    const f32 *ar = acts + (b * T + t) * 5 * H;
    const f32 *cp = tp < 0 ? 0 : cs + (b * T + tp) * H;
    i32 k = 0;
    for (; k + 4 <= H; k += 4) {
      v128_t dh = wasm_f32x4_add(LD(dhs + row + k), LD(dhc + k));
      v128_t dc = wasm_f32x4_add(LD(dcs + row + k), LD(dcc + k));
      v128_t i = LD(ar + k), f = LD(ar + H + k), g = LD(ar + 2 * H + k), o = LD(ar + 3 * H + k);
      v128_t tc = LD(ar + 4 * H + k);
      v128_t cprev = cp ? LD(cp + k) : wasm_f32x4_splat(0.0f);
      v128_t dcn = wasm_f32x4_add(dc, wasm_f32x4_mul(wasm_f32x4_mul(dh, o), wasm_f32x4_sub(one, wasm_f32x4_mul(tc, tc))));
      ST(gr + k, wasm_f32x4_mul(wasm_f32x4_mul(dcn, g), wasm_f32x4_mul(i, wasm_f32x4_sub(one, i))));
      ST(gr + H + k, wasm_f32x4_mul(wasm_f32x4_mul(dcn, cprev), wasm_f32x4_mul(f, wasm_f32x4_sub(one, f))));
      ST(gr + 2 * H + k, wasm_f32x4_mul(wasm_f32x4_mul(dcn, i), wasm_f32x4_sub(one, wasm_f32x4_mul(g, g))));
      ST(gr + 3 * H + k, wasm_f32x4_mul(wasm_f32x4_mul(dh, tc), wasm_f32x4_mul(o, wasm_f32x4_sub(one, o))));
      ST(dcc + k, wasm_f32x4_mul(dcn, f));
      ST(dhc + k, wasm_f32x4_splat(0.0f));
    }
    for (; k < H; k++) {
      f32 dh = dhs[row + k] + dhc[k];
      f32 dc = dcs[row + k] + dcc[k];
      f32 i = ar[k], f = ar[H + k], g = ar[2 * H + k], o = ar[3 * H + k], tc = ar[4 * H + k];
      f32 cprev = cp ? cp[k] : 0.0f;
      f32 dcn = dc + dh * o * (1.0f - tc * tc);
      gr[k] = dcn * g * i * (1.0f - i);
      gr[H + k] = dcn * cprev * f * (1.0f - f);
      gr[2 * H + k] = dcn * i * (1.0f - g * g);
      gr[3 * H + k] = dh * tc * o * (1.0f - o);
      dcc[k] = dcn * f;
      dhc[k] = 0.0f;
    }
    __builtin_memcpy(dxr, gr, (uint32_t)G * 4u);
  }
  return rows;
}

// dh_carry[active[r]] += rec[r] for r < n (rec = dG·Uᵀ of the step's active rows).
EXPORT(add_rows)
void add_rows(f32 *dst, const f32 *rec, const i32 *active, i32 n, i32 H) {
  for (i32 r = 0; r < n; r++) axpy(dst + active[r] * H, rec + r * H, 1.0f, H);
}

// Rows b with mask[b, t] > 0.5 into out, ascending; returns their count.
EXPORT(active_rows)
i32 active_rows(const f32 *mask, i32 B, i32 T, i32 t, i32 *out) {
  i32 n = 0;
  for (i32 b = 0; b < B; b++)
    if (mask[b * T + t] > 0.5f) out[n++] = b;
  return n;
}

// dst[r] = src[rows[r]] for r < n, rows of `width` floats.
EXPORT(gather_rows)
void gather_rows(const f32 *src, f32 *dst, const i32 *rows, i32 n, i32 width) {
  for (i32 r = 0; r < n; r++) __builtin_memcpy(dst + r * width, src + rows[r] * width, (uint32_t)width * 4u);
}

// ---------------------------------------------------------------------------------------------------------------
// Swaps the last two axes of [n, R, C] 4-byte elements into [n, C, R] (tfjs Transpose with perm [1,0] or [0,2,1]):
// 4×4 blocks transposed in registers, scalar edges.

static inline void transpose4(const i32 *s, i32 *d, i32 C, i32 R) {
  v128_t a = LD(s), b = LD(s + C), c = LD(s + 2 * C), e = LD(s + 3 * C);
  v128_t t0 = wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(a, b, 2, 6, 3, 7);
  v128_t t2 = wasm_i32x4_shuffle(c, e, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(c, e, 2, 6, 3, 7);
  ST(d, wasm_i64x2_shuffle(t0, t2, 0, 2));
  ST(d + R, wasm_i64x2_shuffle(t0, t2, 1, 3));
  ST(d + 2 * R, wasm_i64x2_shuffle(t1, t3, 0, 2));
  ST(d + 3 * R, wasm_i64x2_shuffle(t1, t3, 1, 3));
}

EXPORT(transpose_last2)
void transpose_last2(const i32 *src, i32 *dst, i32 n, i32 R, i32 C) {
  for (i32 m = 0; m < n; m++) {
    const i32 *s = src + m * R * C;
    i32 *d = dst + m * R * C;
    i32 r = 0;
    for (; r + 4 <= R; r += 4) {
      i32 c = 0;
      for (; c + 4 <= C; c += 4) transpose4(s + r * C + c, d + c * R + r, C, R);
      for (; c < C; c++)
        for (i32 k = 0; k < 4; k++) d[c * R + r + k] = s[(r + k) * C + c];
    }
    for (; r < R; r++)
      for (i32 c = 0; c < C; c++) d[c * R + r] = s[r * C + c];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reduction over contiguous axes of [outer, n, inner] into [outer, inner] (tfjs Sum / Max over axes that are not
// innermost; the stock kernels transpose the input first). op 0 = sum, 1 = max (a NaN after the first element
// does not win, as in tfjs' own kernel).

EXPORT(reduce_axes)
void reduce_axes(const f32 *src, f32 *dst, i32 outer, i32 n, i32 inner, i32 op) {
  for (i32 o = 0; o < outer; o++) {
    const f32 *s = src + o * n * inner;
    f32 *d = dst + o * inner;
    __builtin_memcpy(d, s, (uint32_t)inner * 4u);
    for (i32 r = 1; r < n; r++) {
      const f32 *a = s + r * inner;
      i32 i = 0;
      if (op) {
        for (; i + 4 <= inner; i += 4) ST(d + i, wasm_f32x4_pmax(LD(d + i), LD(a + i)));
        for (; i < inner; i++) d[i] = d[i] < a[i] ? a[i] : d[i];
      } else {
        for (; i + 4 <= inner; i += 4) ST(d + i, wasm_f32x4_add(LD(d + i), LD(a + i)));
        for (; i < inner; i++) d[i] += a[i];
      }
    }
  }
}
