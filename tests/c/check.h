/*
** check.h: minimal assertion macros for the C unit tests.
** Each failed check prints file:line and both values and bumps a counter;
** tests end with CHECK_DONE(), which prints "N passed, N failed" and returns
** the exit status.
*/
#ifndef CHECK_H
#define CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int check_pass_ = 0, check_fail_ = 0;

#define CHECK(cond) do { \
    if (cond) check_pass_++; \
    else { check_fail_++; \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } \
  } while (0)

#define CHECK_EQ_INT(a, b) do { \
    long long a_ = (long long)(a), b_ = (long long)(b); \
    if (a_ == b_) check_pass_++; \
    else { check_fail_++; \
      fprintf(stderr, "%s:%d: %s == %s failed: %lld vs %lld\n", \
              __FILE__, __LINE__, #a, #b, a_, b_); } \
  } while (0)

#define CHECK_EQ_STR(a, b) do { \
    const char *a_ = (a), *b_ = (b); \
    if (a_ && b_ && strcmp(a_, b_) == 0) check_pass_++; \
    else { check_fail_++; \
      fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" vs \"%s\"\n", \
              __FILE__, __LINE__, #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } \
  } while (0)

/* Contains: haystack a contains needle b */
#define CHECK_HAS_STR(a, b) do { \
    const char *a_ = (a), *b_ = (b); \
    if (a_ && b_ && strstr(a_, b_) != NULL) check_pass_++; \
    else { check_fail_++; \
      fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", \
              __FILE__, __LINE__, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } \
  } while (0)

/* Both NaN, or |a-b| <= tol * max(1, |b|) */
#define CHECK_NEAR(a, b, tol) do { \
    double a_ = (double)(a), b_ = (double)(b), t_ = (double)(tol); \
    int ok_ = (isnan(a_) && isnan(b_)) || \
      (!isnan(a_) && !isnan(b_) && \
       (a_ == b_ || fabs(a_ - b_) <= t_ * (fabs(b_) > 1 ? fabs(b_) : 1))); \
    if (ok_) check_pass_++; \
    else { check_fail_++; \
      fprintf(stderr, "%s:%d: %s ~ %s failed: %.17g vs %.17g (tol %g)\n", \
              __FILE__, __LINE__, #a, #b, a_, b_, t_); } \
  } while (0)

#define CHECK_DONE() ( \
    printf("%d passed, %d failed\n", check_pass_, check_fail_), \
    check_fail_ ? 1 : 0)

#endif
