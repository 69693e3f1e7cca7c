// grip.c: who holds the needle (model in grip.h).
#include "grip.h"

#include <math.h>
#include <string.h>

#include "needle.h"
#include "suturefleet/controller.h"

void sf_grip_reset(sfGrip* g, int narm, int lead, const mjtNum rel_pos[3],
                   const mjtNum rel_quat[4]) {
  memset(g, 0, sizeof(*g));
  g->narm = narm;
  g->lead = lead;
  g->both_since_s = NAN;
  for (int a = 0; a < narm; a++) g->was_open[a] = a != lead;
  g->held[lead] = 1;
  mju_copy3(g->rel_pos[lead], rel_pos);
  mju_copy4(g->rel_quat[lead], rel_quat);
}

// the other arm that holds the needle (-1: none)
static int sf_grip_other(const sfGrip* g, int a) {
  for (int b = 0; b < g->narm; b++) {
    if (b != a && g->held[b]) return b;
  }
  return -1;
}

// arm a opens: it lets go; a handover if it led and another holds, a drop if none holds and
// the tissue does not either
static int sf_grip_release(sfGrip* g, int a, int engaged, mjtNum time_s) {
  int ev = SF_GRIP_RELEASED;
  g->held[a] = 0;
  g->released |= 1 << a;
  int other = sf_grip_other(g, a);
  if (other >= 0) {
    if (g->lead == a) {
      g->handovers++;
      g->handover_s += time_s - g->both_since_s;
      ev |= SF_GRIP_PASSED;
    }
    g->lead = other;
    g->both_since_s = NAN;
    return ev;
  }
  g->lead = -1;
  if (!engaged) ev |= SF_GRIP_DROPPED;
  return ev;
}

// arm a closes: it catches the needle if its tcp is on the arc at a point outside the tissue
static int sf_grip_close(sfGrip* g, int a, const sfJaws* j, const mjtNum npos[3],
                         const mjtNum nquat[4], mjtNum r,
                         int (*inside)(const void* ctx, const mjtNum x[3]), const void* ctx,
                         mjtNum time_s) {
  g->was_open[a] = 0;
  mjtNum rel_pos[3], rel_quat[4], arc, pt_local[3], pt[3];
  sf_pose_relative(npos, nquat, j->tcp_pos, j->tcp_quat, rel_pos, rel_quat);
  mjtNum dist = sf_needle_closest(r, rel_pos, &arc);
  sf_needle_point(r, arc, pt_local);
  sf_frame_point(npos, nquat, pt_local, pt);
  int other = sf_grip_other(g, a);
  if (dist > SF_GRIP_CAPTURE_M || (inside && inside(ctx, pt))) {
    g->missed[a]++;
    if (other >= 0) g->handover_missed++;
    return SF_GRIP_MISSED;
  }
  g->held[a] = 1;
  sf_pose_relative(j->tcp_pos, j->tcp_quat, npos, nquat, g->rel_pos[a], g->rel_quat[a]);
  if (other >= 0) {
    g->both_since_s = time_s;
  } else {
    g->lead = a;
  }
  return SF_GRIP_CAUGHT;
}

int sf_grip_step(sfGrip* g, const sfJaws* jaws, const mjtNum needle_pos[3],
                 const mjtNum needle_quat[4], mjtNum r, int engaged,
                 int (*inside)(const void* ctx, const mjtNum x[3]), const void* ctx,
                 mjtNum time_s) {
  int ev = 0;
  g->released = 0;
  for (int a = 0; a < g->narm; a++) {
    const sfJaws* j = &jaws[a];
    if (g->held[a] && j->opening > SFC_JAW_RELEASE_RAD) {
      ev |= sf_grip_release(g, a, engaged, time_s);
    }
    if (j->opening > SFC_JAW_RELEASE_RAD) g->was_open[a] = 1;
    if (g->held[a] || !g->was_open[a] || j->opening > SF_GRIP_CLOSED_RAD) continue;
    ev |= sf_grip_close(g, a, j, needle_pos, needle_quat, r, inside, ctx, time_s);
  }
  return ev;
}

void sf_grip_needle(const sfGrip* g, const sfJaws* jaws, mjtNum needle_pos[3],
                    mjtNum needle_quat[4]) {
  int a = g->lead;
  if (a < 0 || !g->held[a]) return;
  mju_mulPose(needle_pos, needle_quat, jaws[a].tcp_pos, jaws[a].tcp_quat, g->rel_pos[a],
              g->rel_quat[a]);
}
