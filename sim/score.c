// score.c: SRC hole-plane crossings, lateral errors and throw acceptance.
#include "score.h"

#include <string.h>

#define SF_TIP_OUT_MIN_MM 5.0  // SRC challenge 2: at least 5 mm of the tip visible

void sf_score_reset(sfThrowScore* s, int pair) {
  memset(s, 0, sizeof(*s));
  s->pair = pair;
  s->entry_pair = s->exit_pair = -1;
}

// height of x above the plane of the hole (pos, mat): its local z
static mjtNum sf_score_height(const mjtNum pos[3], const mjtNum mat[9], const mjtNum x[3]) {
  mjtNum d[3];
  mju_sub3(d, x, pos);
  return d[0] * mat[2] + d[1] * mat[5] + d[2] * mat[8];
}

mjtNum sf_score_lateral_mm(const mjtNum pos[3], const mjtNum mat[9], const mjtNum x[3]) {
  mjtNum d[3];
  mju_sub3(d, x, pos);
  mjtNum lx = d[0] * mat[0] + d[1] * mat[3] + d[2] * mat[6];
  mjtNum ly = d[0] * mat[1] + d[1] * mat[4] + d[2] * mat[7];
  return 1000 * mju_sqrt(lx * lx + ly * ly);
}

// where segment a-b crosses the hole plane going down (dir -1) or up (+1); 0 if it does not
static int sf_score_cross(const mjtNum pos[3], const mjtNum mat[9], const mjtNum a[3],
                          const mjtNum b[3], int dir, mjtNum x[3]) {
  mjtNum ha = sf_score_height(pos, mat, a), hb = sf_score_height(pos, mat, b);
  int crossed = dir < 0 ? (ha > 0 && hb <= 0) : (ha < 0 && hb >= 0);
  if (!crossed) return 0;
  mjtNum u = ha / (ha - hb);
  for (int i = 0; i < 3; i++) x[i] = a[i] + u * (b[i] - a[i]);
  return 1;
}

// index of the hole nearest to x among n holes
static int sf_score_nearest(const mjtNum pos[][3], const mjtNum mat[][9], int n,
                            const mjtNum x[3]) {
  int best = -1;
  mjtNum bestd = 0;
  for (int i = 0; i < n; i++) {
    mjtNum dist = sf_score_lateral_mm(pos[i], mat[i], x);
    if (best < 0 || dist < bestd) best = i, bestd = dist;
  }
  return best;
}

void sf_score_update(sfThrowScore* s, const sfHoles* h, const mjtNum a[3], const mjtNum b[3]) {
  const mjtNum* epos = h->entry_pos[s->pair];
  const mjtNum* emat = h->entry_mat[s->pair];
  const mjtNum* xpos = h->exit_pos[s->pair];
  const mjtNum* xmat = h->exit_mat[s->pair];
  mjtNum x[3];

  // insertion: down through the entry plane
  if (sf_score_cross(epos, emat, a, b, -1, x)) {
    if (!s->inserted) {
      s->inserted = 1;
      mju_copy3(s->entry_pt, x);
      s->entry_err_mm = sf_score_lateral_mm(epos, emat, x);
      s->entry_pair = sf_score_nearest(h->entry_pos, h->entry_mat, h->npair, x);
    }
    s->insertions++;
  }

  // exit: up through the exit plane, after an insertion
  if (sf_score_cross(xpos, xmat, a, b, +1, x)) {
    if (!s->inserted) {
      s->order_error = 1;
    } else if (!s->exited) {
      s->exited = 1;
      mju_copy3(s->exit_pt, x);
      s->exit_err_mm = sf_score_lateral_mm(xpos, xmat, x);
      s->exit_pair = sf_score_nearest(h->exit_pos, h->exit_mat, h->npair, x);
    }
  }

  // going back down after the exit: withdrawn through its own track
  if (s->exited && sf_score_cross(xpos, xmat, a, b, -1, x)) s->backed_out = 1;

  // how far the tip stands out beyond the exit
  if (s->exited && !s->released && sf_score_height(xpos, xmat, b) > 0) {
    s->tip_out_mm = mju_max(s->tip_out_mm, 1000 * mju_dist3(b, s->exit_pt));
  }
}

int sf_score_throw_ok(const sfThrowScore* s, mjtNum tol_mm) {
  return s->inserted && s->exited && !s->order_error && s->entry_pair == s->pair &&
         s->exit_pair == s->pair && s->entry_err_mm <= tol_mm && s->exit_err_mm <= tol_mm &&
         s->tip_out_mm >= SF_TIP_OUT_MIN_MM && !s->backed_out;
}
