/* pcap frame reader over libpcap, see tickgate/pcap_frames.h. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

#include "tickgate/pcap_frames.h"

struct tg_pcap_reader {
	pcap_t *p;
};

int tg_pcap_open(const char *path, struct tg_pcap_reader **out, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct tg_pcap_reader *r;
	pcap_t *p;

	if (path == NULL || out == NULL || (err == NULL && errlen != 0))
		return TG_ERR_ARG;
	p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (p == NULL) {
		if (errlen)
			snprintf(err, errlen, "%s: %s", path, ebuf);
		return TG_ERR_NOENT;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		if (errlen)
			snprintf(err, errlen, "%s: link type %s, expected Ethernet", path,
				 pcap_datalink_val_to_name(pcap_datalink(p)));
		pcap_close(p);
		return TG_ERR_ARG;
	}
	r = malloc(sizeof(*r));
	if (r == NULL) {
		pcap_close(p);
		return TG_ERR_NOMEM;
	}
	r->p = p;
	*out = r;
	return TG_OK;
}

int tg_pcap_next(struct tg_pcap_reader *r, struct tg_pcap_frame *frame)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc = pcap_next_ex(r->p, &h, &data);

	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc != 1)
		return TG_ERR_IO;
	frame->data = data;
	frame->caplen = h->caplen;
	frame->wirelen = h->len;
	/* with nanosecond precision requested, tv_usec holds nanoseconds */
	frame->ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
	return 1;
}

void tg_pcap_close(struct tg_pcap_reader *r)
{
	if (r != NULL) {
		pcap_close(r->p);
		free(r);
	}
}
