// controller.h: controllers: what they observe, what they command, and the built-ins.
//
// A controller is a table of functions over an opaque per-robot state. Each step it sees an
// observation (its own tool and needle poses, the targets as its cameras report them) and
// writes one control per actuator. The built-in "scripted-arc" suturing controller is
// described in README.md, with its skill vector.
#ifndef SUTUREFLEET_SIM_CONTROLLER_H_
#define SUTUREFLEET_SIM_CONTROLLER_H_

#include <mujoco/mujoco.h>

#include "scene.h"
#include "skill.h"

// what a controller sees each step (world frame as the robot believes it)
typedef struct sfObs_ {
  mjtNum time_s;         // time since the episode started
  int throw_index;       // current throw (0 .. nthrow-1)
  int nthrow;            // throws in the episode
  mjtNum entry[3];       // current throw's entry hole as perceived (calibration error)
  mjtNum exit[3];        // current throw's exit hole as perceived
  mjtNum normal[3];      // tissue surface normal (unit)
  mjtNum tcp_pos[3];     // tool centre point
  mjtNum tcp_quat[4];    // tool orientation
  mjtNum needle_pos[3];  // needle frame (centre; z = axis of the arc)
  mjtNum needle_quat[4];
  mjtNum needle_radius_m;  // needle radius
  int grasped;             // the jaws hold the needle
  int engaged;             // the needle is in the tissue
} sfObs;

// what a step returns
typedef enum sftCtrlStatus_ {
  SF_CTRL_RUN = 0,         // keep going
  SF_CTRL_THROW_DONE = 1,  // the current throw is finished (needle pulled through)
  SF_CTRL_GIVE_UP = 2      // the controller cannot continue the episode
} sftCtrlStatus;

// a controller implementation
typedef struct sfControllerDef_ {
  const char* name;         // e.g. "scripted-arc"
  const char* description;  // one line
  const sfSkillDef* skill;  // its skill vector
  // make per-robot state for scene s (NULL on allocation failure)
  void* (*make)(const sfScene* s);
  // start an episode with skill theta (skill->n values)
  void (*reset)(void* state, const mjModel* m, const mjData* d, const sfObs* obs,
                const double* theta);
  // write ctrl (nu) for this step; d has current kinematics and bias forces
  sftCtrlStatus (*step)(void* state, const mjModel* m, const mjData* d, const sfObs* obs,
                        mjtNum* ctrl);
  // release the state (accepts NULL)
  void (*destroy)(void* state);
} sfControllerDef;

// the built-in scripted-arc suturing controller
const sfControllerDef* sf_controller_scripted_arc(void);

// the built-in controller called name, or NULL
const sfControllerDef* sf_controller_find(const char* name);

#endif  // SUTUREFLEET_SIM_CONTROLLER_H_
