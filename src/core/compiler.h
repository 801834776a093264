/*
 * compiler.h - attribute macros shared by every module.
 */
#ifndef GW_COMPILER_H
#define GW_COMPILER_H

#define GW_WUR __attribute__((warn_unused_result))
#define GW_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define GW_UNUSED __attribute__((unused))
#define GW_NONNULL(...) __attribute__((nonnull(__VA_ARGS__)))
#define GW_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
