// edges.h: the soft scene's wound edges, two MuJoCo composite ropes that the thread pulls
// together (README "The thread and the wound").
//
// The fast scene's wound is analytic (suture.h): each edge a beam on an elastic foundation
// whose deflection under a stitch is Hetenyi's closed form. The soft scene simulates the same
// structure with MuJoCo: each edge is a `composite type="rope"` of bodies along the wound
// (edgea at the -lateral side, edgeb at +lateral), whose hinge stiffness is the beam's bending
// stiffness (EI / spacing), and suturefleet applies to every body of it, as forces MuJoCo then
// integrates:
//   - the elastic foundation of the tissue behind the edge, k (the episode's edge modulus, N/m
//     per m of wound) times the spacing, towards the body's rest (half the episode's initial
//     gap from the wound line, at its height), with a damper of SF_EDGES_ZETA of critical, and
//     its weight carried;
//   - the edges meeting: where edge b's body lies closer to edge a's than 0, a penalty of
//     SF_EDGES_CONTACT times the foundation pushes them apart (scene contacts are off);
//   - each passed, uncut stitch's tunnel tension, pulling both edges towards each other at the
//     stitch (shared between the two bodies either side of it).
// The gap along the wound is then measured from the bodies: edge b's lateral position minus
// edge a's, interpolated between bodies, never below 0.
//
// Named elements: bodies <p>B0 .. <p>B<n-1> for p = edgea, edgeb (a rope's bodies in order
// along the wound), each rope's root body with a slide joint <p>_y across the wound.
#ifndef SUTUREFLEET_SIM_EDGES_H_
#define SUTUREFLEET_SIM_EDGES_H_

#include <mujoco/mujoco.h>

#include "status.h"
#include "suture.h"

#define SF_EDGES_MAX 64        // most bodies per edge
#define SF_EDGES_ZETA 1.0      // the foundation's damping, as a share of each body's critical
#define SF_EDGES_CONTACT 40.0  // the edges' contact stiffness, as a multiple of the foundation

// the wound edges of a scene (n == 0: the scene has none, the wound is analytic)
typedef struct sfEdges_ {
  int n;                        // bodies per edge
  int body[2][SF_EDGES_MAX];    // their ids, in order along the wound; [0] edgea, [1] edgeb
  int root_qadr[2];             // qpos address of each root's slide across the wound
  mjtNum root_lat_m[2];         // each root's lateral position at home (slide 0)
  mjtNum s_m[SF_EDGES_MAX];     // the bodies' positions along the wound at home
  mjtNum z_m[2][SF_EDGES_MAX];  // their heights at home
  mjtNum spacing_m;             // between neighbouring bodies
  mjtNum lat[3];                // across the wound, from edge a to edge b (unit, world)
  mjtNum up[3];                 // the tissue normal, wound_dir x lat (the heights are along it)
  mjtNum wound_pos[3];          // the wound line's reference point and direction (world)
  mjtNum wound_dir[3];
} sfEdges;

// find the edges in a model whose kinematics d holds the home keyframe, across the wound line
// (pos, dir) in the plane of normal up; none found leaves e->n = 0 (SF_OK); ropes that do not
// match (lengths, order, a missing slide) are SF_ERR_INPUT naming the model file
sftStatus sf_edges_resolve(const mjModel* m, const mjData* d, const char* path,
                           const double wound_pos[3], const double wound_dir[3], const double up[3],
                           sfEdges* e, sfError* err);

// put each edge at half the episode's initial gap from the wound line (after a reset)
void sf_edges_place(const sfEdges* e, mjData* d, const sfSutureParams* p);

// the forces on the edges' bodies (written into xfrc_applied): foundation, contact, stitches
void sf_edges_apply(const sfEdges* e, const mjModel* m, mjData* d, const sfSutureParams* p,
                    const sfSutureState* s);

// the gap (m) between the edges at wound coordinate s_m, as they lie in d
mjtNum sf_edges_gap(const sfEdges* e, const mjData* d, mjtNum s_m);

#endif  // SUTUREFLEET_SIM_EDGES_H_
