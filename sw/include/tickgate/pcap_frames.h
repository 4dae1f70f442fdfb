/*
 * Reading Ethernet frames from pcap files (libpcap), with nanosecond
 * timestamps whatever the file's own precision.
 */
#ifndef TICKGATE_PCAP_FRAMES_H
#define TICKGATE_PCAP_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#include "tickgate/result.h"

struct tg_pcap_reader;

struct tg_pcap_frame {
	const uint8_t *data;	/* valid until the next call */
	uint32_t caplen;	/* bytes captured (what data holds) */
	uint32_t wirelen;	/* bytes on the wire */
	uint64_t ts_ns;		/* capture time, ns since the epoch */
};

/*
 * Open path. Only Ethernet (DLT_EN10MB) captures are accepted. On error
 * err (errlen bytes) holds a one-line reason naming the file.
 */
TG_API TG_MUST_CHECK int tg_pcap_open(const char *path, struct tg_pcap_reader **out, char *err,
				      size_t errlen);

/* 1 and *frame filled, 0 at the end of the file, TG_ERR_IO on a damaged file. */
TG_API TG_MUST_CHECK int tg_pcap_next(struct tg_pcap_reader *r, struct tg_pcap_frame *frame);

TG_API void tg_pcap_close(struct tg_pcap_reader *r);

#endif
