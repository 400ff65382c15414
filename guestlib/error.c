/* SPDX-License-Identifier: BSD-3-Clause */
/* Status names and messages, from proto.h's one X-macro list. */
#include "hostlane/hostlane.h"

const char *
hl_strerror(int status)
{
	switch (status < 0 ? -status : status) {
#define HL_X_(name, val, msg) case (val): return msg;
	HL_STATUS_LIST(HL_X_)
#undef HL_X_
	default:
		return "unknown status";
	}
}

const char *
hl_status_name(int status)
{
	switch (status < 0 ? -status : status) {
#define HL_X_(name, val, msg) case (val): return "HL_" #name;
	HL_STATUS_LIST(HL_X_)
#undef HL_X_
	default:
		return "HL_E_?";
	}
}
