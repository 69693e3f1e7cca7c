// rope.h: the soft scene's thread behind the needle, a MuJoCo composite rope (README "The thread
// and the wound").
//
// The thread's tension comes from the suture model (suture.h: slack, the wound closing, the
// holes yielding, the thread stretching, capstan friction), as in the fast scene. In the soft
// scene the thread's first stretch behind the needle is a rope MuJoCo simulates: its first body
// is tied to the needle's tail by a connect equality, it hangs under its weight while the
// thread is slack, and while it is taut suturefleet pulls its last body towards the point where
// the thread runs into the tissue with the model's tension. What the rope then exerts on the
// needle (the connect equality's constraint force) is the thread's force on the tool and what
// the instrument's sensor reads.
//
// Named elements: bodies threadB0 .. threadB<n-1> (threadB0 with a free joint), equality
// connect thread_tail between threadB0 and the needle.
#ifndef SUTUREFLEET_SIM_ROPE_H_
#define SUTUREFLEET_SIM_ROPE_H_

#include <mujoco/mujoco.h>

#include "status.h"

#define SF_ROPE_MAX 64  // most bodies of the rope
#define SF_ROPE_SLACK_N \
  1e-3  // a pull below this is the rope's own weight and inertia: the
        //   thread is slack (the observation's thread_dir is zero)

// a scene's thread rope (n == 0: none, the fast scene)
typedef struct sfRope_ {
  int n;                  // bodies
  int body[SF_ROPE_MAX];  // in order from the needle's tail
  int root_qadr;          // the root's free joint: qpos and dof addresses
  int root_dadr;
  int eq;  // the connect equality to the needle
} sfRope;

// find the rope (none: r->n = 0, SF_OK); a rope without its free root or its connect equality
// is SF_ERR_INPUT naming the model file
sftStatus sf_rope_resolve(const mjModel* m, const char* path, sfRope* r, sfError* err);

// move the rope, as it lies, so that its root is at the needle's tail, at rest (a throw's
// needle put in the jaws)
void sf_rope_place(const sfRope* r, const mjModel* m, mjData* d, const mjtNum tail[3]);

// pull the rope's last body towards target with tension_N (0: let it hang)
void sf_rope_pull(const sfRope* r, mjData* d, const mjtNum target[3], mjtNum tension_N);

// the rope's force on the needle (world, N) in the constraint forces of the step d holds
void sf_rope_force(const sfRope* r, const mjModel* m, const mjData* d, mjtNum f[3]);

#endif  // SUTUREFLEET_SIM_ROPE_H_
