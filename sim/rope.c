// rope.c: the soft scene's thread rope (model in rope.h).
#include "rope.h"

#include <stdio.h>
#include <string.h>

sftStatus sf_rope_resolve(const mjModel* m, const char* path, sfRope* r, sfError* err) {
  memset(r, 0, sizeof(*r));
  for (;; r->n++) {
    char name[32];
    snprintf(name, sizeof(name), "threadB%d", r->n);
    int b = mj_name2id(m, mjOBJ_BODY, name);
    if (b < 0) break;
    if (r->n == SF_ROPE_MAX) {
      return sf_fail(err, SF_ERR_INPUT, "model '%s': thread rope of more than %d bodies", path,
                     SF_ROPE_MAX);
    }
    r->body[r->n] = b;
  }
  if (!r->n) return SF_OK;
  int root = r->body[0];
  int j = m->body_jntadr[root];
  r->eq = mj_name2id(m, mjOBJ_EQUALITY, "thread_tail");
  int needle = mj_name2id(m, mjOBJ_BODY, "needle");
  if (r->n < 2 || m->body_jntnum[root] != 1 || m->jnt_type[j] != mjJNT_FREE || r->eq < 0 ||
      m->eq_type[r->eq] != mjEQ_CONNECT || m->eq_obj1id[r->eq] != root ||
      m->eq_obj2id[r->eq] != needle) {
    return sf_fail(err, SF_ERR_INPUT,
                   "model '%s': thread rope threadB0..: expected a rope of at least 2 bodies "
                   "whose first has a free joint, tied to body 'needle' by equality connect "
                   "'thread_tail' (body1 threadB0, body2 needle)",
                   path);
  }
  r->root_qadr = m->jnt_qposadr[j];
  r->root_dadr = m->jnt_dofadr[j];
  return SF_OK;
}

void sf_rope_place(const sfRope* r, const mjModel* m, mjData* d, const mjtNum tail[3]) {
  if (!r->n) return;
  mju_copy3(d->qpos + r->root_qadr, tail);
  for (int b = 0; b < r->n; b++) {
    int body = r->body[b];
    for (int k = 0; k < m->body_dofnum[body]; k++) d->qvel[m->body_dofadr[body] + k] = 0;
  }
}

void sf_rope_pull(const sfRope* r, mjData* d, const mjtNum target[3], mjtNum tension_N) {
  if (!r->n) return;
  mjtNum* f = d->xfrc_applied + 6 * r->body[r->n - 1];
  mju_zero(f, 6);
  if (!(tension_N > 0)) return;
  mju_sub3(f, target, d->xipos + 3 * r->body[r->n - 1]);
  if (mju_normalize3(f) < mjMINVAL) {
    mju_zero3(f);
    return;
  }
  mju_scl3(f, f, tension_N);
}

void sf_rope_force(const sfRope* r, const mjModel* m, const mjData* d, mjtNum f[3]) {
  (void)m;
  mju_zero3(f);
  if (!r->n) return;
  // the connect's three rows: the force on body1 (the rope's root), world axes; the needle
  // feels the opposite
  for (int i = 0, k = 0; i < d->nefc && k < 3; i++) {
    if (d->efc_type[i] == mjCNSTR_EQUALITY && d->efc_id[i] == r->eq) f[k++] = -d->efc_force[i];
  }
}
