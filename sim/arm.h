// arm.h: the PSM arm: joint and actuator ids, servo gains, kinematic helpers.
#ifndef SUTUREFLEET_SIM_ARM_H_
#define SUTUREFLEET_SIM_ARM_H_

#include <mujoco/mujoco.h>

#include "status.h"

// the arm's actuated axes, in actuator order
typedef enum sftAxis_ {
  SF_AXIS_YAW = 0,      // outer yaw (rad)
  SF_AXIS_PITCH,        // outer pitch (rad)
  SF_AXIS_INSERTION,    // insertion (m)
  SF_AXIS_ROLL,         // tool roll (rad)
  SF_AXIS_WRIST_PITCH,  // wrist pitch (rad)
  SF_AXIS_WRIST_YAW,    // wrist yaw (rad)
  SF_AXIS_JAW,          // jaw opening angle (rad), drives a tendon over two jaw joints
  SF_NAXIS
} sftAxis;

#define SF_NJOINT 6               // axes that map one-to-one onto a joint (all but the jaw)
#define SF_ARM_MAX_TOOL_GEOMS 16  // geoms of one arm's instrument (shaft, wrist, jaws)

// ids of one arm in a model
typedef struct sfArm_ {
  int jnt[SF_NJOINT];   // joint ids of the axes yaw .. wrist yaw
  int qadr[SF_NJOINT];  // their qpos addresses
  int dadr[SF_NJOINT];  // their dof addresses
  int jaw_jnt[2];       // the two jaw joints
  int act[SF_NAXIS];    // actuator ids, one per axis
  int base_body;        // body at the RCM
  int shaft_body;       // body whose -z axis runs along the shaft through the RCM
  int tcp_site;         // tool centre point between the jaws
  int tcp_body;         // the body carrying the tcp site (wrist yaw link)
  int rcm_site;         // the remote centre of motion
  int ntool;            // geoms of the instrument: of the shaft body and the bodies under it
  int tool_geom[SF_ARM_MAX_TOOL_GEOMS];
} sfArm;

// resolve the arm named by prefix (e.g. "psm1_") in model m loaded from path; SF_ERR_INPUT
// naming the file and the missing element
sftStatus sf_arm_resolve(const mjModel* m, const char* path, const char* prefix, sfArm* arm,
                         sfError* e);

// distance (m) from point p (3) to the shaft axis line of the arm in data d (after kinematics)
mjtNum sf_arm_rcm_error(const mjModel* m, const mjData* d, const sfArm* arm, const mjtNum p[3]);

// write ctrl (nu) that holds the servo setpoints qref (SF_NAXIS, joint units) while cancelling
// the bias forces (gravity, Coriolis) of the current state; setpoints are clamped to ctrlrange
void sf_arm_servo(const mjModel* m, const mjData* d, const sfArm* arm, const mjtNum qref[SF_NAXIS],
                  mjtNum* ctrl);

// the least clearance (m) between the instruments of arms a and b in d (after kinematics), as
// MuJoCo's collision functions measure it between each pair of their geoms (negative: they
// intersect by that much), when it is under margin; margin otherwise. The instruments of two
// arms through ports on either side of the wound can meet only near it: the outer links stay
// apart by the ports' distance
mjtNum sf_arm_clearance(const mjModel* m, const mjData* d, const sfArm* a, const sfArm* b,
                        mjtNum margin);

// current axis positions (SF_NAXIS); the jaw axis is the opening angle
void sf_arm_axes(const mjModel* m, const mjData* d, const sfArm* arm, mjtNum q[SF_NAXIS]);

#endif  // SUTUREFLEET_SIM_ARM_H_
