// suture.c: the suture thread and the wound it closes (model in suture.h).
#include "suture.h"

#include <math.h>
#include <string.h>

void sf_suture_reset(sfSutureState* s) {
  memset(s, 0, sizeof(*s));
}

mjtNum sf_suture_edge_w(mjtNum tension_N, mjtNum k_N_m2, mjtNum x_m) {
  mjtNum bx = SF_SUTURE_BETA_1_M * mju_abs(x_m);
  return tension_N * SF_SUTURE_BETA_1_M / (2 * k_N_m2) * exp(-bx) * (cos(bx) + sin(bx));
}

// where a point lies along the wound (m from wound_pos)
static mjtNum sf_suture_along(const sfSutureParams* p, const mjtNum x[3]) {
  mjtNum d[3];
  mju_sub3(d, x, p->wound_pos);
  return mju_dot3(d, p->wound_dir);
}

// both edges' closing displacement at s_m from every stitch but `skip` (-1: none)
static mjtNum sf_suture_closing(const sfSutureParams* p, const sfSutureState* s, mjtNum s_m,
                                int skip) {
  mjtNum sum = 0;
  for (int i = 0; i < s->n; i++) {
    if (i == skip || s->st[i].cut) continue;
    sum += 2 * sf_suture_edge_w(s->st[i].tension_N, p->edge_k_N_m2, s_m - s->st[i].s_m);
  }
  return sum;
}

mjtNum sf_suture_gap(const sfSutureParams* p, const sfSutureState* s, mjtNum s_m) {
  return mju_max(0, p->gap0_m - sf_suture_closing(p, s, s_m, -1));
}

static mjtNum sf_suture_gap_fn(const void* ctx, mjtNum s_m) {
  const void* const* pc = ctx;
  return sf_suture_gap(pc[0], pc[1], s_m);
}

void sf_suture_closure(const sfSutureParams* p, const sfSutureState* s, mjtNum* mean,
                       mjtNum* worst) {
  const void* ctx[2] = {p, s};
  sf_suture_closure_of(p, s, sf_suture_gap_fn, ctx, mean, worst);
}

void sf_suture_closure_of(const sfSutureParams* p, const sfSutureState* s, sfGapFn gap,
                          const void* ctx, mjtNum* mean, mjtNum* worst) {
  *mean = *worst = 0;
  if (!s->n) return;
  mjtNum lo = s->st[0].s_m, hi = lo, sum = 0, low = 1;
  for (int i = 1; i < s->n; i++) lo = mju_min(lo, s->st[i].s_m), hi = mju_max(hi, s->st[i].s_m);
  lo -= SF_SUTURE_SPAN_M, hi += SF_SUTURE_SPAN_M;
  for (int k = 0; k < SF_SUTURE_SAMPLES; k++) {
    mjtNum x = lo + (hi - lo) * k / (SF_SUTURE_SAMPLES - 1);
    mjtNum c = mju_max(0, 1 - gap(ctx, x) / p->gap0_m);  // a gap opened wider closed none
    sum += c, low = mju_min(low, c);
  }
  *mean = sum / SF_SUTURE_SAMPLES;
  *worst = low;
}

void sf_suture_pass(const sfSutureParams* p, sfSutureState* s, const mjtNum entry[3],
                    const mjtNum mid[3], const mjtNum exit[3], const mjtNum out_dir[3],
                    mjtNum tunnel_m, const mjtNum tail[3]) {
  if (s->n >= SF_SUTURE_MAX) return;
  sfStitch* t = &s->st[s->n++];
  memset(t, 0, sizeof(*t));
  mju_copy3(t->entry, entry);
  mju_copy3(t->mid, mid);
  mju_copy3(t->exit, exit);
  mju_copy3(t->out_dir, out_dir);
  mju_normalize3(t->out_dir);

  // the arc is symmetric about the chord's mid-plane: the entry tangent is the exit tangent
  // with its component across the chord reversed
  mjtNum chord[3];
  mju_sub3(chord, exit, entry);
  mju_normalize3(chord);
  mju_scl3(t->in_dir, chord, 2 * mju_dot3(t->out_dir, chord));
  mju_subFrom3(t->in_dir, t->out_dir);
  mju_normalize3(t->in_dir);
  t->tunnel_m = tunnel_m;
  t->s_m = 0.5 * (sf_suture_along(p, entry) + sf_suture_along(p, exit));
  for (int k = 0; k < 2; k++) {
    mjtNum d[3];
    mju_sub3(d, k ? exit : entry, p->wound_pos);
    mju_addScl3(d, d, p->wound_dir, -mju_dot3(d, p->wound_dir));
    t->bite_m += 0.5 * mju_norm3(d);
  }
  s->pulling = 1;
  s->free_m = mju_dist3(exit, tail) + p->slack_m;
}

void sf_suture_pass_tunnel(const sfSutureParams* p, sfSutureState* s, const mjtNum entry[3],
                           const mjtNum exit[3], const mjtNum c[3], const mjtNum n[3], mjtNum r,
                           const mjtNum tail[3]) {
  mjtNum a[3], b[3], m[3], mid[3], out[3], away[3];
  mju_sub3(a, entry, c);
  mju_sub3(b, exit, c);
  mjtNum angle =
      acos(mju_clip(mju_dot3(a, b) / mju_max(mju_norm3(a) * mju_norm3(b), mjMINVAL), -1, 1));

  // the deepest point: on the circle, towards the chord's midpoint
  mju_add3(m, entry, exit);
  mju_scl3(m, m, 0.5);
  mju_sub3(mid, m, c);
  if (mju_normalize3(mid) < mjMINVAL) {
    mju_copy3(mid, m);
  } else {
    mju_scl3(mid, mid, r);
    mju_addTo3(mid, c);
  }

  // the tangent at the exit, pointing out of the tunnel
  mju_cross(out, n, b);
  mju_sub3(away, exit, mid);
  if (mju_dot3(out, away) < 0) mju_scl3(out, out, -1);
  sf_suture_pass(p, s, entry, mid, exit, out, r * angle, tail);
}

// angle (rad) between two unit vectors
static mjtNum sf_suture_turn(const mjtNum a[3], const mjtNum b[3]) {
  return acos(mju_clip(mju_dot3(a, b), -1, 1));
}

// a stitch tears through its edge: its tension is lost, the strip it tears is trauma
static void sf_suture_cut(sfSutureState* s, sfStitch* t) {
  t->cut = 1;
  t->tension_N = 0;
  s->cut_through++;
  s->trauma_mm2 += 1e6 * 2 * t->bite_m * SF_SUTURE_TEAR_WIDTH_M;
}

// the pull on stitch i's tunnel passed back over the crossover to the stitches before it,
// where it raises their tension (and may tear them)
static void sf_suture_share(const sfSutureParams* p, sfSutureState* s, int i) {
  for (int j = i - 1; j >= 0; j--) {
    sfStitch *t = &s->st[j + 1], *prev = &s->st[j];
    if (prev->cut) return;
    mjtNum cross[3];
    mju_sub3(cross, t->entry, prev->exit);
    if (mju_normalize3(cross) < mjMINVAL) return;
    // along the crossover: less by the turn into the next tunnel; into this tunnel: less by the
    // turn at its exit
    mjtNum tc = t->tension_N * exp(-p->mu * sf_suture_turn(cross, t->in_dir));
    mjtNum tt = tc * exp(-p->mu * sf_suture_turn(prev->out_dir, cross));
    if (tt <= prev->tension_N) return;
    prev->tension_N = tt;
    if (tt > p->strength_N) {
      sf_suture_cut(s, prev);
      return;
    }
  }
}

void sf_suture_step(const sfSutureParams* p, sfSutureState* s, const mjtNum tail[3]) {
  mju_zero3(s->force);
  s->tension_N = 0;
  if (!s->pulling || !s->n) return;
  int i = s->n - 1;
  sfStitch* t = &s->st[i];
  if (t->cut) return;

  // how far the pull is beyond the free thread (taut at e = 0)
  mjtNum u[3];
  mju_sub3(u, tail, t->exit);
  mjtNum dist = mju_normalize3(u), e = dist - s->free_m;
  if (e <= 0 || dist < mjMINVAL) {
    t->tension_N = 0;
    return;
  }

  // e is taken up by the wound closing at the stitch (compliance a0 until the edges meet; the
  // simulated edges' closing as measured), by the tissue yielding at the holes and by the
  // thread stretching under the needle's tension (capstan factor K over the tunnel's)
  mjtNum kap = exp(p->mu * sf_suture_turn(u, t->out_dir));
  mjtNum a0 = SF_SUTURE_BETA_1_M / p->edge_k_N_m2;
  mjtNum c = s->free_m / SF_SUTURE_EA_N * kap + SF_SUTURE_HOLE_M_N;
  mjtNum tt;
  if (s->measured) {
    tt = mju_max(0, e - s->closed_m) / c;
  } else {
    mjtNum room = mju_max(0, p->gap0_m - sf_suture_closing(p, s, t->s_m, i));
    tt = e <= room * (1 + c / a0) ? e / (a0 + c) : (e - room) / c;
  }
  mjtNum tn = kap * tt;

  // the thread's load on the exit hole: the needle's side pulls along u, the tunnel's inwards
  mjtNum load[3];
  mju_scl3(load, u, tn);
  mju_addToScl3(load, t->out_dir, -tt);
  if (tt > p->strength_N || mju_norm3(load) > p->strength_N) {
    sf_suture_cut(s, t);
    return;
  }
  t->tension_N = tt;
  s->tension_N = tn;
  s->tension_max_N = mju_max(s->tension_max_N, tn);
  mju_scl3(s->force, u, -tn);
  sf_suture_share(p, s, i);
}

void sf_suture_lock(sfSutureState* s) {
  s->pulling = 0;
  s->tension_N = 0;
  mju_zero3(s->force);
}

mjtNum sf_suture_used(const sfSutureState* s) {
  mjtNum used = 0;
  for (int i = 0; i < s->n; i++) {
    used += s->st[i].tunnel_m;
    if (i) used += mju_dist3(s->st[i - 1].exit, s->st[i].entry);
  }
  return used;
}

int sf_suture_path(const sfSutureState* s, const mjtNum* cur_entry, const mjtNum tail[3],
                   mjtNum pts[][3]) {
  int k = 0;
  for (int i = 0; i < s->n; i++) {
    mju_copy3(pts[k++], s->st[i].entry);
    mju_copy3(pts[k++], s->st[i].mid);
    mju_copy3(pts[k++], s->st[i].exit);
  }
  if (cur_entry) mju_copy3(pts[k++], cur_entry);
  if (k) mju_copy3(pts[k++], tail);
  return k;
}
