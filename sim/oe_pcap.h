/*
 * The order-entry TCP connection of tickgate-sim written as a pcap file:
 * both directions as Ethernet/IPv4/TCP frames with consistent sequence and
 * acknowledgment numbers, valid IPv4 and TCP checksums, a handshake at the
 * start of every connection and FIN (or RST) at its end, so Wireshark and
 * tshark follow the SoupBinTCP stream as if it had been captured on a
 * wire (`tshark -r FILE -d tcp.port==PORT,soupbintcp`).
 *
 * What goes in is what the socket really moved: the bytes of every
 * successful write and read, in the order the simulator saw them. The
 * frames are synthesized (the loopback interface has no Ethernet header,
 * and a capture of it would need privileges), so the MAC addresses are
 * made up, the initial sequence numbers are chosen here, and a segment is
 * cut every OE_PCAP_MSS bytes. Timestamps are the wall clock, in
 * nanoseconds.
 */
#ifndef TG_OE_PCAP_H
#define TG_OE_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OE_PCAP_MSS 1460u

struct oe_pcap;

/* NULL with a one-line reason in err when the file cannot be created. */
struct oe_pcap *oe_pcap_open(const char *path, char *err, size_t errlen);
/* Flush and close; NULL is ignored. */
void oe_pcap_close(struct oe_pcap *p);

/*
 * A connection from client to server is up (addresses and ports in host
 * order): writes its three-way handshake. A connection still open in the
 * file (half closed: the server's FIN was never seen) is left as it is.
 */
void oe_pcap_connect(struct oe_pcap *p, uint32_t client_ip, uint16_t client_port, uint32_t server_ip,
		     uint16_t server_port);

/* Bytes that went over the open connection (nothing without one). */
void oe_pcap_data(struct oe_pcap *p, bool from_client, const uint8_t *data, size_t len);

/* One side closed its direction (FIN); the connection ends when both have. */
void oe_pcap_fin(struct oe_pcap *p, bool from_client);

/* The connection was reset (by the side named). */
void oe_pcap_reset(struct oe_pcap *p, bool from_client);

/* Whether writing has failed (disk full): the file is incomplete. */
bool oe_pcap_failed(const struct oe_pcap *p);

#endif
