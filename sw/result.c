/* Text for libtickgate result codes. */
#include "tickgate/result.h"

const char *tg_strerror(int result)
{
	switch (result) {
	case TG_OK: return "success";
	case TG_ERR_ARG: return "invalid argument";
	case TG_ERR_NOENT: return "no such card or register";
	case TG_ERR_BUSY: return "in use by another process";
	case TG_ERR_AGAIN: return "ring full, try again";
	case TG_ERR_TIMEOUT: return "card did not answer in time";
	case TG_ERR_DEAD: return "simulator process is gone";
	case TG_ERR_IO: return "card answered with an error";
	case TG_ERR_CONTRACT: return "card speaks another interface version";
	case TG_ERR_NOMEM: return "out of memory";
	case TG_ERR_STATE: return "not possible in this state";
	case TG_ERR_PERM: return "permission denied";
	case TG_ERR_SYS: return "system call failed";
	case TG_ERR_SHORT: return "message shorter than its layout";
	case TG_ERR_MSGTYPE: return "unknown message type";
	case TG_ERR_APPENDAGE: return "appendage runs past the message";
	case TG_ERR_OPTION: return "appendage option malformed";
	case TG_ERR_LENGTH: return "length impossible for the message type";
	case TG_ERR_FIELD: return "field value not allowed";
	case TG_ERR_PROTOCOL: return "packet not allowed in the session state";
	default: return "unknown error";
	}
}
