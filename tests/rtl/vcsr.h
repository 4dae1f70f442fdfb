/*
 * C interface to the Verilated CSR block on its own (tg_csr_regs, generated
 * from card.yaml; the shim in vcsr.cpp), with a 16-bit AXI-Lite address so
 * that addresses past the register map reach it: reads and writes one
 * transaction at a time, cycle by cycle, and the UPTIME counter's input set
 * directly, so a 64-bit counter's two halves can differ.
 */
#ifndef TG_VCSR_H
#define TG_VCSR_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tg_vcsr;

/* AXI-Lite responses */
#define TG_VCSR_OKAY 0u
#define TG_VCSR_SLVERR 2u

struct tg_vcsr *tg_vcsr_new(void);
void tg_vcsr_free(struct tg_vcsr *v);

/* A read of byte address addr: returns the response, the data in *data,
 * and in *cycles the clock edges from the address's valid to the data's. */
unsigned tg_vcsr_read(struct tg_vcsr *v, uint32_t addr, uint32_t *data, unsigned *cycles);
/* A write with byte strobes strb: returns the response. */
unsigned tg_vcsr_write(struct tg_vcsr *v, uint32_t addr, uint32_t data, unsigned strb);
/* The UPTIME counter's input, from the next edge on. */
void tg_vcsr_set_uptime(struct tg_vcsr *v, uint64_t value);

#ifdef __cplusplus
}
#endif

#endif
