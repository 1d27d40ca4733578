# stats_ref.R: reference values for the C statistical kernels (src/cni_stats.c).
#
# Usage: Rscript tests/r/stats_ref.R tests/fixtures/r
# Base R only (written against R 4.2). Writes tests/fixtures/r/stats_*.csv:
#   stats_vec_<name>.csv  input x, w and one column per kernel output
#   stats_big.csv         10^5 integer-valued x (1% NA), rank-type outputs
#   stats_big_float.csv   float outputs on the 10^5 vector, 1000 sampled rows
#   stats_quantile.csv    vec, type, p, q  (quantile types 1..9)
#   stats_wquantile.csv   vec, p, q
#   stats_norm.csv        kind (1 = qnorm, 2 = pnorm), arg, val
#   stats_combine.csv     columns a, b, c and every combine kind / NA policy
# Numbers are written with %.17g (exact round trip); missing is "NA".
# Conventions that are cnilua choices rather than R functions (constant
# columns, weighted tiles and quantiles, exp transform) are written out here
# as plain formulas; see docs/numerics.md.

args <- commandArgs(trailingOnly = TRUE)
outdir <- if (length(args) >= 1) args[1] else "tests/fixtures/r"
dir.create(outdir, showWarnings = FALSE, recursive = TRUE)

fmt <- function(v) ifelse(is.na(v), "NA", sprintf("%.17g", as.numeric(v)))

write_tab <- function(df, file) {
  cols <- lapply(df, fmt)
  lines <- if (nrow(df) > 0) do.call(paste, c(cols, sep = ",")) else character(0)
  writeLines(c(paste(names(df), collapse = ","), lines), file.path(outdir, file))
}

# ---------------------------------------------------------------- kernels

rk <- function(x, ties, desc = FALSE) {
  y <- if (desc) -x else x
  if (ties == "dense") {
    # dplyr::dense_rank: rank among the sorted distinct values
    u <- sort(unique(y[!is.na(y)]))
    return(as.numeric(match(y, u)))
  }
  as.numeric(rank(y, na.last = "keep", ties.method = ties))
}

# dplyr::percent_rank(x) = (min_rank(x) - 1) / (number of non-missing - 1)
percent_rank <- function(x) {
  r <- rk(x, "min")
  (r - 1) / (sum(!is.na(r)) - 1)
}

# dplyr::ntile (dplyr >= 1.1.0), base R transcription:
#   x <- row_number(x); len <- non-missing count; larger groups first.
ntile <- function(x, n, desc = FALSE) {
  x <- rk(x, "first", desc)          # row_number(x) / row_number(desc(x))
  len <- sum(!is.na(x))
  if (len == 0) return(rep(NA_real_, length(x)))
  n_larger <- len %% n
  n_smaller <- n - n_larger
  size <- len / n
  larger_size <- ceiling(size)
  smaller_size <- floor(size)
  larger_threshold <- larger_size * n_larger
  bins <- ifelse(x <= larger_threshold,
                 (x + (larger_size - 1)) / larger_size,
                 (x + (-larger_threshold + smaller_size - 1)) / smaller_size + n_larger)
  as.numeric(floor(bins))
}

# cumulative sum in plain double arithmetic, left to right (base cumsum
# accumulates in long double)
dcumsum <- function(v) if (length(v)) Reduce(`+`, v, accumulate = TRUE) else numeric(0)

# Population-weighted tiles: sort by x (stable, ties in input order), C =
# cumulative weight including the area, group = ceil(k * C / W) in 1..k.
wntile <- function(x, w, k, desc = FALSE) {
  out <- rep(NA_real_, length(x))
  o <- order(if (desc) -x else x, na.last = NA)  # stable; drops NA x
  o <- o[!is.na(w[o])]
  if (!length(o)) return(out)
  cw <- dcumsum(w[o])
  W <- cw[length(cw)]
  if (!(W > 0)) return(out)
  out[o] <- pmin(k, pmax(1, ceiling(k * cw / W)))
  out
}

# Weighted quantile: smallest x with cumulative weight >= p*W - 4*eps*W.
wquantile <- function(x, w, p) {
  ok <- !is.na(x) & !is.na(w) & w > 0
  x <- x[ok]; w <- w[ok]
  if (!length(x)) return(rep(NA_real_, length(p)))
  o <- order(x)
  xs <- x[o]; cw <- dcumsum(w[o]); W <- cw[length(cw)]
  sapply(p, function(pp) {
    if (is.na(pp)) return(NA_real_)
    t <- pp * W - 4 * .Machine$double.eps * W
    xs[which(cw >= t)[1]]
  })
}

# mean as the C kernel: double sum / n, plus mean residual
cmean <- function(v) {
  v <- v[!is.na(v)]
  n <- length(v)
  if (!n) return(NaN)
  m <- Reduce(`+`, v, accumulate = FALSE) / n
  if (!is.finite(m)) return(m)
  m + Reduce(`+`, v - m) / n
}

zscore <- function(x, sample = TRUE) {
  v <- x[!is.na(x)]
  n <- length(v)
  if (n == 0 || (sample && n < 2)) return(rep(NA_real_, length(x)))
  if (length(unique(v)) == 1) return(ifelse(is.na(x), NA_real_, 0))  # constant -> 0
  m <- cmean(x)
  s <- sqrt(Reduce(`+`, (v - m)^2) / (if (sample) n - 1 else n))
  (x - m) / s
}

minmax <- function(x, lo = 0, hi = 100) {
  v <- x[!is.na(x)]
  if (!length(v)) return(x)
  mn <- min(v); mx <- max(v)
  if (mx == mn) return(ifelse(is.na(x), NA_real_, lo))            # constant -> lo
  lo + (hi - lo) * ((x - mn) / (mx - mn))
}

nscore <- function(x, kind) {
  r <- rk(x, "average"); n <- sum(!is.na(r))
  p <- switch(kind, rankit = (r - 0.5) / n, blom = (r - 3 / 8) / (n + 1 / 4),
              vdw = r / (n + 1))
  qnorm(p)
}

# Exponential transform; rank 1 -> upper exactly; log1p/expm1 form.
expt <- function(rank, N, c = 23, upper = 100) {
  a <- -expm1(-upper / c)
  X <- -c * log1p(-((N - rank + 1) / N) * a)
  X[!is.na(rank) & rank == 1] <- upper
  X[is.na(rank) | rank < 1 | rank > N] <- NA
  X
}

# clamp with C semantics: comparisons with NaN bounds are false
clampv <- function(x, lo, hi) {
  out <- x
  i <- !is.na(x) & !is.na(lo) & x < lo; out[i] <- lo
  i <- !is.na(x) & !is.na(hi) & x > hi; out[i] <- hi
  out
}

winsor_q <- function(x, plo = 0.05, phi = 0.95) {
  if (all(is.na(x))) return(x)
  q <- quantile(x, c(plo, phi), type = 7, na.rm = TRUE, names = FALSE)
  clampv(x, q[1], q[2])
}

winsor_sd <- function(x, k = 2) {
  v <- x[!is.na(x)]
  if (length(v) < 2) return(x)
  m <- cmean(x)
  s <- sqrt(Reduce(`+`, (v - m)^2) / (length(v) - 1))
  clampv(x, m - k * s, m + k * s)
}

lg <- function(x, plus1) suppressWarnings({
  if (plus1) ifelse(!is.na(x) & x > -1, log1p(x), NA_real_)
  else ifelse(!is.na(x) & x > 0, log(x), NA_real_)
})

all_outputs <- function(x, w) {
  nv <- sum(!is.na(x))
  data.frame(
    x = x, w = w,
    ravg = rk(x, "average"), rmin = rk(x, "min"), rmax = rk(x, "max"),
    rfirst = rk(x, "first"), rdense = rk(x, "dense"),
    dravg = rk(x, "average", TRUE), drmin = rk(x, "min", TRUE),
    drmax = rk(x, "max", TRUE), drfirst = rk(x, "first", TRUE),
    drdense = rk(x, "dense", TRUE),
    prank = percent_rank(x),
    nt3 = ntile(x, 3), nt10 = ntile(x, 10),
    dnt3 = ntile(x, 3, TRUE), dnt10 = ntile(x, 10, TRUE),
    wnt3 = wntile(x, w, 3), wnt10 = wntile(x, w, 10), dwnt10 = wntile(x, w, 10, TRUE),
    zs = zscore(x, TRUE), zp = zscore(x, FALSE), mm = minmax(x),
    nsr = nscore(x, "rankit"), nsb = nscore(x, "blom"), nsv = nscore(x, "vdw"),
    lg = lg(x, FALSE), lg1 = lg(x, TRUE),
    wq = winsor_q(x), wsd = winsor_sd(x),
    ex = expt(rk(x, "first", TRUE), nv),
    dist = x / 2.5, distrel = (x - 2.5) / 2.5
  )
}

# ---------------------------------------------------------------- vectors

set.seed(20240601)
rnd <- rnorm(2000) * 10^runif(2000, -3, 3)
rnd[sample(2000, 100)] <- rnd[sample(2000, 100)]   # exact duplicates
rnd[sample(2000, 20)] <- NA

vecs <- list(
  ties = c(3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5),
  nan = c(2, NA, 1, NaN, 3, 2, -0, 0, NA),
  n0 = numeric(0),
  n1 = 7.5,
  n2 = c(2, -1),
  const = c(4.2, 4.2, NA, 4.2, 4.2, 4.2),
  neglarge = c(-1e300, 1e300, -5, 5, 1e-300, -1e-300, 123456789.123, 0,
               -2.5e15, 2.5e15 + 1, -5, 1e-300),
  inf = c(1, Inf, -Inf, NA, 0, Inf, -3, 2),
  rnd = rnd
)
wts <- list(
  ties = c(1, 2, 1, 3, 1, 1, 2, 5, 1, 1, 4),
  nan = c(1, 1, NA, 1, 2, 0, 1, 1, 3),
  n0 = numeric(0), n1 = 2, n2 = c(1, 3),
  const = c(1, 1, 1, 2, 2, 2),
  neglarge = c(5, 1, 2, 2, 0, 1, 3, 1, 1, 1, 4, 2),
  inf = c(1, 2, 3, 4, 5, 6, 7, 8),
  rnd = round(runif(2000, 0, 1000))
)

for (nm in names(vecs))
  write_tab(all_outputs(vecs[[nm]], wts[[nm]]), paste0("stats_vec_", nm, ".csv"))

# 10^5 integer-valued values (short, exact fixtures), heavy ties, 1% NA
big <- round(rnorm(1e5, 0, 3000))
big[sample(1e5, 1000)] <- NA
bigw <- round(runif(1e5, 1, 1000))
bigw[sample(1e5, 100)] <- NA
write_tab(data.frame(
  x = big, w = bigw,
  ravg = rk(big, "average"), rmin = rk(big, "min"), rmax = rk(big, "max"),
  rfirst = rk(big, "first"), rdense = rk(big, "dense"),
  dravg = rk(big, "average", TRUE), drfirst = rk(big, "first", TRUE),
  nt10 = ntile(big, 10), dnt10 = ntile(big, 10, TRUE),
  wnt10 = wntile(big, bigw, 10)
), "stats_big.csv")
ob <- all_outputs(big, bigw)
rows <- sort(c(sample(1e5, 990), which(is.na(big))[1:10]))
fl <- ob[rows, c("prank", "zs", "zp", "mm", "nsr", "nsb", "nsv", "lg1",
                 "wq", "wsd", "ex", "distrel")]
write_tab(cbind(row = rows, fl), "stats_big_float.csv")

# ---------------------------------------------------------------- quantiles

allv <- c(vecs, list(big = big))
probs <- c(0, 0.001, 0.05, 0.1, 0.25, 1 / 3, 0.5, 2 / 3, 0.75, 0.9, 0.95,
           0.999, 1, NA)
q <- NULL
wq <- NULL
for (vi in seq_along(allv)) {
  x <- allv[[vi]]
  for (type in 1:9) {
    qq <- quantile(x, probs, type = type, na.rm = TRUE, names = FALSE)
    q <- rbind(q, data.frame(vec = vi, type = type, p = probs, q = qq))
  }
  w <- if (names(allv)[vi] == "big") bigw else wts[[vi]]
  wq <- rbind(wq, data.frame(vec = vi, p = probs, q = wquantile(x, w, probs)))
  # equal weights: same as type 1
  wq <- rbind(wq, data.frame(vec = -vi, p = probs, q = wquantile(x, rep(1, length(x)), probs)))
}
write_tab(q, "stats_quantile.csv")
write_tab(wq, "stats_wquantile.csv")

# ---------------------------------------------------------------- normal

pgrid <- c(0, 1e-320, 1e-300, 1e-100, 1e-20, 1e-12, 1.388e-11, 1e-10, 1e-5,
           0.001, 0.01, 0.025, 0.05, 0.0749, 0.075, 0.0751, 0.1, 0.2, 0.3,
           0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.925, 0.9251, 0.95, 0.975, 0.99,
           0.999, 1 - 1e-10, 1 - 1e-15, 1, runif(2000), runif(500)^20)
xgrid <- c(-40, -38, -37.5193, -37.5, -30, -20, -10, -8.2924, -5.657, -5.656,
           -3, -1.96, -0.67448975, -0.6744, -0.5, -1e-17, 0, 1e-17, 0.5,
           0.6744, 0.67448975, 0.6745, 1, 1.96, 3, 5.656, 5.657, 8, 8.2924,
           8.3, 10, 38, 40, rnorm(2000) * 3, runif(500, -38, 9))
write_tab(rbind(data.frame(kind = 1, arg = pgrid, val = qnorm(pgrid)),
                data.frame(kind = 2, arg = xgrid, val = pnorm(xgrid))),
          "stats_norm.csv")

# ---------------------------------------------------------------- combine

nr <- 60
A <- round(runif(nr, -0.5, 3), 2) + runif(nr) * 1e-3
B <- rexp(nr)
C <- runif(nr, 0, 2)
A[c(3, 10, 20)] <- NA; B[c(10, 15, 30)] <- NA; C[c(10, 31, 40)] <- NA
B[5] <- 0; C[7] <- -1
M <- cbind(A, B, C)
comb <- function(M, w, kind, skip, thr = 0.5) {
  apply(M, 1, function(r) {
    ww <- if (is.null(w)) rep(1, length(r)) else w
    pres <- !is.na(r)
    if (!skip && any(!pres)) return(NA_real_)
    if (!any(pres)) return(NA_real_)
    rp <- r[pres]; wp <- ww[pres]
    s <- function(v) Reduce(`+`, v)        # left to right, double
    if (kind %in% c("geo", "har") && any(rp <= 0)) return(NA_real_)
    switch(kind,
      wsum = { W <- s(ww); Wp <- s(wp); v <- s(wp * rp); if (Wp == W) v else v * (W / Wp) },
      wmean = s(wp * rp) / s(wp),
      geo = exp(s(wp * log(rp)) / s(wp)),
      har = s(wp) / s(wp / rp),
      min = min(rp), max = max(rp),
      cnt = s(ifelse(rp > thr, wp, 0)))
  })
}
cd <- data.frame(a = A, b = B, c = C)
kinds <- c("wsum", "wmean", "geo", "har", "min", "max", "cnt")
for (ki in seq_along(kinds)) for (skip in c(FALSE, TRUE)) for (useW in c(TRUE, FALSE)) {
  nm <- sprintf("k%d_%s_%s", ki - 1, if (skip) "skip" else "prop", if (useW) "w" else "eq")
  cd[[nm]] <- comb(M, if (useW) c(0.5, 0.3, 0.2) else NULL, kinds[ki], skip)
}
write_tab(cd, "stats_combine.csv")

cat("wrote fixtures to", outdir, "\n")
