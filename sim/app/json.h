// json.h: the few JSON writers the commands share (--json output of eval, info, bench, study).
#ifndef SUTUREFLEET_SIM_APP_JSON_H_
#define SUTUREFLEET_SIM_APP_JSON_H_

#include <stdio.h>

// s as a JSON string: quoted, with '"', '\' and control characters escaped
void sf_json_str(FILE* out, const char* s);

// a number for JSON (%.4f): null when it is not finite
void sf_json_num(FILE* out, double v);

#endif  // SUTUREFLEET_SIM_APP_JSON_H_
