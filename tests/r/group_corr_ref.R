# group_corr_ref.R: reference values for the C tests of src/cni_group.c and
# src/cni_corr.c (tests/c/test_group.c, tests/c/test_corr.c).
#
# Usage: Rscript tests/r/group_corr_ref.R tests/fixtures/r
# Base R only (R >= 4.2). Writes tests/fixtures/r/gc_*.csv: the inputs (so the
# C tests read exactly the same doubles) and the references, numbers as
# %.17g, missing as NA. Deterministic (fixed seed). The Kendall reference on
# 1e5 rows uses R's O(n^2) cor(method = "kendall") and takes a minute.
#
# Every reference is computed independently in R from the formulas of
# methodology.md (3.3, 3.4, 4.2, 4.4) and the definitions in the headers
# src/cni_group.h and src/cni_corr.h; nothing is ported from the C code.

args <- commandArgs(trailingOnly = TRUE)
outdir <- if (length(args) >= 1) args[1] else "tests/fixtures/r"
# "--quick" as 2nd argument keeps an existing gc_corr_big_ref.csv (its O(n^2)
# Kendall takes about 5 minutes); the random stream is the same either way.
quick <- length(args) >= 2 && args[2] == "--quick"
dir.create(outdir, showWarnings = FALSE, recursive = TRUE)
RNGkind("Mersenne-Twister", "Inversion", "Rejection")
set.seed(20240607)

fmt <- function(v) {
  s <- sprintf("%.17g", as.numeric(v))
  s[is.na(v)] <- "NA"
  s
}
wcsv <- function(df, name) {
  out <- as.data.frame(lapply(df, fmt), stringsAsFactors = FALSE)
  names(out) <- names(df)
  write.table(out, file.path(outdir, name), sep = ",", quote = FALSE,
              row.names = FALSE, col.names = TRUE)
}
na_if_bad <- function(v) if (length(v) == 0 || !is.finite(v)) NA_real_ else v

# ---------------------------------------------------------------------------
# Group aggregates
# ---------------------------------------------------------------------------
group_ref <- function(x, w, gid, flag, ngroups) {
  res <- data.frame(group = 0:(ngroups - 1))
  okw <- !is.na(w) & is.finite(w) & w >= 0
  for (nm in c("count", "sum", "mean", "wmean", "median", "min", "max",
               "share", "wshare")) res[[nm]] <- NA_real_
  sx <- split(seq_along(x), factor(gid, levels = 0:(ngroups - 1)))
  for (g in seq_len(ngroups)) {
    idx <- sx[[g]]
    xv <- x[idx][!is.na(x[idx])]
    res$count[g] <- length(xv)
    if (length(xv) > 0) {
      res$sum[g] <- sum(xv)
      res$mean[g] <- mean(xv)
      res$median[g] <- median(xv)
      res$min[g] <- min(xv)
      res$max[g] <- max(xv)
    }
    ok <- idx[!is.na(x[idx]) & okw[idx]]
    if (length(ok) > 0 && sum(w[ok]) > 0) res$wmean[g] <- weighted.mean(x[ok], w[ok])
    fv <- flag[idx][!is.na(flag[idx])]
    if (length(fv) > 0) res$share[g] <- mean(fv != 0)
    okf <- idx[!is.na(flag[idx]) & okw[idx]]
    if (length(okf) > 0 && sum(w[okf]) > 0)
      res$wshare[g] <- sum(w[okf] * (flag[okf] != 0)) / sum(w[okf])
  }
  res
}

# small/medium data with every edge case
n <- 3000; ngroups <- 40
gid <- sample(0:35, n, replace = TRUE)
gid[sample(n, 90)] <- -1                    # rows in no group
x <- round(rnorm(n) * 100, 2)
x[gid == 3] <- round(x[gid == 3])           # many ties
x[gid == 4] <- -abs(x[gid == 4]) * 1e6      # large negative
x[gid == 5] <- 1e12 + x[gid == 5]           # large offset
x[sample(n, 150)] <- NA
w <- round(runif(n, 0, 10), 3)
w[sample(n, 60)] <- NA
w[sample(n, 40)] <- -1                      # invalid weight: skipped
w[sample(n, 80)] <- 0
w[gid == 7] <- 0                            # zero total weight -> NA
flag <- sample(c(0, 1, 2, -1, NA), n, replace = TRUE, prob = c(.5, .3, .05, .05, .1))
# group 36: rows, but every x missing; 8: one row; 9: two rows; 37..39 empty
extra <- data.frame(
  x = c(NA, NA, NA, 4.25, 1, 3),
  w = c(1, 2, 3, 2, 1, 1),
  gid = c(36, 36, 36, 8, 9, 9),
  flag = c(NA, NA, NA, 1, 0, 5))
gid[gid %in% c(8, 9)] <- -1
x <- c(x, extra$x); w <- c(w, extra$w); gid <- c(gid, extra$gid)
flag <- c(flag, extra$flag)
flag[gid == 9 & is.na(flag)] <- 0
wcsv(data.frame(x = x, w = w, gid = gid, flag = flag), "gc_group_in.csv")
wcsv(group_ref(x, w, gid, flag, ngroups), "gc_group_ref.csv")

# 1e5 rows, 1000 groups (short exact decimals keep the file small)
n <- 100000; ngroups <- 1000
gid <- sample(0:(ngroups - 2), n, replace = TRUE)   # last group empty
x <- round(rnorm(n) * 1e4) / 8
x[sample(n, 500)] <- NA
w <- sample(0:50, n, replace = TRUE)
flag <- rbinom(n, 1, 0.2)
wcsv(data.frame(x = x, w = w, gid = gid, flag = flag), "gc_group_big_in.csv")
wcsv(group_ref(x, w, gid, flag, ngroups), "gc_group_big_ref.csv")

# ---------------------------------------------------------------------------
# IMD higher-geography measures (methodology.md 3.4)
# ---------------------------------------------------------------------------
N <- 32844
ngroups <- 317
rank <- sample(1:N)
score <- round((80 * exp(-3 * rank / N) + runif(N, 0, 5)) * 64) / 64
pop <- sample(800:3000, N, replace = TRUE)
gid <- sample(0:(ngroups - 2), N, replace = TRUE)   # group 316 empty
gid[sample(N, 200)] <- -1
# group 315: a single LSOA
gid[gid == 315] <- 0; gid[1] <- 315
# group 314: its most deprived LSOA holds more than 10% of the population
i314 <- which(gid == 314)
pop[i314[which.min(rank[i314])]] <- 50000
# group 313: zero-population LSOAs among the most deprived
i313 <- which(gid == 313)
pop[i313[order(rank[i313])[1:3]]] <- 0
# group 312: tied ranks (a duplicated rank)
i312 <- which(gid == 312)
rank[i312[2]] <- rank[i312[1]]
# group 311: all population zero -> NA
pop[gid == 311] <- 0
# missing values
rank[sample(N, 30)] <- NA
score[sample(N, 30)] <- NA
pop[sample(N, 30)] <- NA
wcsv(data.frame(score = score, rank = rank, pop = pop, gid = gid), "gc_imd_in.csv")

imd_ref <- function(score, rank, pop, gid, ngroups, N) {
  res <- data.frame(group = 0:(ngroups - 1), avg_score = NA_real_,
                    avg_rank = NA_real_, extent = NA_real_,
                    local_conc = NA_real_, prop_d1 = NA_real_)
  okp <- !is.na(pop) & pop >= 0
  inv <- N - rank + 1
  q <- ceiling(100 * rank / N)
  e <- ifelse(q <= 10, 1, ifelse(q <= 30, 0.95 - (0.9 / 19) * (q - 11), 0))
  for (g in 0:(ngroups - 1)) {
    a <- which(gid == g & okp & !is.na(score))
    if (length(a) && sum(pop[a]) > 0)
      res$avg_score[g + 1] <- sum(pop[a] * score[a]) / sum(pop[a])
    b <- which(gid == g & okp & !is.na(rank))
    if (length(b) && sum(pop[b]) > 0) {
      res$avg_rank[g + 1] <- sum(pop[b] * inv[b]) / sum(pop[b])
      res$extent[g + 1] <- sum(pop[b] * e[b]) / sum(pop[b])
      o <- b[order(rank[b])]
      target <- 0.1 * sum(pop[o])
      before <- c(0, cumsum(pop[o]))[seq_along(o)]
      take <- pmin(pop[o], pmax(0, target - before))
      res$local_conc[g + 1] <- sum(take * inv[o]) / target
    }
    d <- which(gid == g & !is.na(rank))
    if (length(d)) res$prop_d1[g + 1] <- mean(ceiling(10 * rank[d] / N) == 1)
  }
  res
}
wcsv(imd_ref(score, rank, pop, gid, ngroups, N), "gc_imd_ref.csv")

# ceil(100 r / N) against dplyr::ntile(r, 100) (written out here, base R)
ntile100 <- function(r) {
  len <- length(r); nb <- 100
  rn <- rank(r, ties.method = "first")
  nl <- len %% nb; ls <- ceiling(len / nb); ss <- floor(len / nb)
  thr <- ls * nl
  as.integer(floor(ifelse(rn <= thr, (rn + ls - 1) / ls,
                          (rn - thr + ss - 1) / ss + nl)))
}
qc <- ceiling(100 * (1:N) / N); qn <- ntile100(1:N)
ew <- function(q) ifelse(q <= 10, 1, ifelse(q <= 30, 0.95 - (0.9 / 19) * (q - 11), 0))
cat(sprintf("IMD percentiles, N = %d: ceil(100r/N) and ntile(r,100) differ for %d ranks; extent weight differs for %d ranks\n",
            N, sum(qc != qn), sum(ew(qc) != ew(qn))))

# ---------------------------------------------------------------------------
# Correlations: small cases
# ---------------------------------------------------------------------------
safe_cor <- function(x, y, method) {
  tryCatch(suppressWarnings(cor(x, y, use = "pairwise.complete.obs",
                                method = method)),
           error = function(e) NA_real_)
}
z <- rnorm(200)
cases <- list(
  list(x = numeric(0), y = numeric(0)),                       # 1 empty
  list(x = 1.5, y = 2),                                       # 2 n = 1
  list(x = c(1, 2), y = c(5, 3)),                             # 3 n = 2
  list(x = c(1, 1), y = c(5, 3)),                             # 4 n = 2, tie
  list(x = rnorm(10), y = rep(3.25, 10)),                     # 5 constant y
  list(x = rnorm(5), y = rep(NA_real_, 5)),                   # 6 y all missing
  list(x = sample(1:4, 60, TRUE), y = sample(1:3, 60, TRUE)), # 7 heavy ties
  list(x = z, y = ifelse(runif(200) < .1, NA, z + rnorm(200))), # 8 NaN
  list(x = 1e9 + z, y = -1e9 + 0.5 * z + rnorm(200)),         # 9 large offset
  list(x = z * 1e150, y = (z + rnorm(200)) * 1e149),          # 10 huge
  list(x = z * 1e-200, y = (z + rnorm(200)) * 1e-180),        # 11 tiny
  list(x = -(1:50) * 3.5, y = 7 + (1:50) * 10.5),             # 12 exact r = 1
  list(x = c(Inf, -Inf, 1, 2, 3, Inf, 5), y = c(1, 2, 3, 4, 5, 6, 0)), # 13 Inf
  list(x = c(0, -0, 1, 2, 0, 3), y = c(4, 4, 1, 2, 3, 3)),    # 14 -0 == 0
  list(x = rep(c(1, 2), 20), y = rep(c(2, 1), 20)),           # 15 two values
  list(x = exp(1:30 / 3), y = (1:30)^3),                      # 16 monotone
  list(x = c(1, NA, 3), y = c(2, 5, 1)),                      # 17 n_used 2
  list(x = x18 <- round(rnorm(500), 1), y = round(rnorm(500) + 0.3 * x18, 1)) # 18
)
long <- do.call(rbind, lapply(seq_along(cases), function(i) {
  if (length(cases[[i]]$x) == 0) return(NULL)
  data.frame(case = i, x = cases[[i]]$x, y = cases[[i]]$y)
}))
wcsv(long, "gc_corr_cases.csv")
ref <- do.call(rbind, lapply(seq_along(cases), function(i) {
  x <- cases[[i]]$x; y <- cases[[i]]$y
  data.frame(case = i, n_used = sum(!is.na(x) & !is.na(y)),
             pearson = safe_cor(x, y, "pearson"),
             spearman = safe_cor(x, y, "spearman"),
             kendall = safe_cor(x, y, "kendall"))
}))
wcsv(ref, "gc_corr_cases_ref.csv")

# ---------------------------------------------------------------------------
# Correlations: 1e5 rows
# ---------------------------------------------------------------------------
n <- 100000
bx <- round(rnorm(n) * 2^16) / 2^6
by <- round((0.6 * bx + rnorm(n) * 800) * 2^6) / 2^6
bt <- sample(0:20, n, replace = TRUE) + (bx > 0) * sample(0:5, n, TRUE)
bx[sample(n, 500)] <- NA
bt[sample(n, 2000)] <- NA
wcsv(data.frame(x = bx, y = by, t = bt), "gc_corr_big.csv")
t0 <- proc.time()[["elapsed"]]
if (!(quick && file.exists(file.path(outdir, "gc_corr_big_ref.csv")))) {
pairs <- list(c("x", "y"), c("x", "t"), c("y", "t"))
cols <- list(x = bx, y = by, t = bt)
bigref <- do.call(rbind, lapply(pairs, function(p) {
  a <- cols[[p[1]]]; b <- cols[[p[2]]]
  data.frame(a = match(p[1], names(cols)), b = match(p[2], names(cols)),
             n_used = sum(!is.na(a) & !is.na(b)),
             pearson = safe_cor(a, b, "pearson"),
             spearman = safe_cor(a, b, "spearman"),
             kendall = safe_cor(a, b, "kendall"))
}))
wcsv(bigref, "gc_corr_big_ref.csv")
cat(sprintf("R cor() on 3 pairs of 1e5 rows (incl. O(n^2) Kendall): %.1f s\n",
            proc.time()[["elapsed"]] - t0))
}

# ---------------------------------------------------------------------------
# Correlation matrices (pairwise and complete.obs)
# ---------------------------------------------------------------------------
n <- 400
f <- rnorm(n)
M <- cbind(c1 = f + rnorm(n), c2 = -2 * f + rnorm(n), c3 = rnorm(n) * 1e6,
           c4 = rep(7, n), c5 = round(f + rnorm(n)), c6 = NA_real_)
M[sample(n, 40), "c1"] <- NA
M[sample(n, 25), "c2"] <- NA
M[sample(n, 5), "c5"] <- NA
M[1, "c6"] <- 3  # a single non-missing value
wcsv(as.data.frame(M), "gc_corr_mat_in.csv")
mref <- NULL
for (meth in c("pearson", "spearman", "kendall")) {
  R <- suppressWarnings(cor(M, use = "pairwise.complete.obs", method = meth))
  for (i in 1:6) for (j in 1:6)
    mref <- rbind(mref, data.frame(method = match(meth, c("pearson", "spearman", "kendall")) - 1,
                                   use = 0, i = i, j = j, value = R[i, j]))
  sub <- M[, c("c1", "c2", "c3", "c5")]
  R <- cor(sub, use = "complete.obs", method = meth)
  for (i in 1:4) for (j in 1:4)
    mref <- rbind(mref, data.frame(method = match(meth, c("pearson", "spearman", "kendall")) - 1,
                                   use = 1, i = i, j = j, value = R[i, j]))
}
wcsv(mref, "gc_corr_mat_ref.csv")

# ---------------------------------------------------------------------------
# Cronbach's alpha: (k/(k-1)) (1 - sum var_q / var(total)), complete rows
# ---------------------------------------------------------------------------
n <- 300
f <- rnorm(n)
A <- cbind(a1 = f + rnorm(n), a2 = f + rnorm(n) * 2, a3 = 10 * f + rnorm(n) * 5,
           a4 = round(f + rnorm(n)), a5 = -0.2 * f + rnorm(n),
           a6 = NA_real_, a7 = rnorm(n), a8 = NA_real_, a9 = 2, a10 = -1)
A[sample(n, 30), "a1"] <- NA
A[sample(n, 10), "a4"] <- NA
A[1, "a6"] <- 1
A[, "a8"] <- 5 - A[, "a7"]        # a7 + a8 constant: total variance 0
wcsv(as.data.frame(A), "gc_alpha_in.csv")
alpha_ref <- function(sub) {
  sub <- sub[complete.cases(sub), , drop = FALSE]
  k <- ncol(sub)
  if (nrow(sub) < 2) return(NA_real_)
  vt <- var(rowSums(sub))
  if (!(vt > 0)) return(NA_real_)
  (k / (k - 1)) * (1 - sum(apply(sub, 2, var)) / vt)
}
acases <- list(1:5, 1:2, c(2, 5), c(1, 3, 4), c(1, 6), c(7, 8), c(9, 10), 1:4)
aref <- data.frame(case = seq_along(acases),
                   cols = sapply(acases, paste, collapse = " "),
                   alpha = sapply(acases, function(cs) alpha_ref(A[, cs, drop = FALSE])))
out <- data.frame(case = fmt(aref$case), cols = aref$cols, alpha = fmt(aref$alpha))
write.table(out, file.path(outdir, "gc_alpha_ref.csv"), sep = ",", quote = FALSE,
            row.names = FALSE)

# ---------------------------------------------------------------------------
# Symmetric eigenproblem: eigen(symmetric = TRUE), vectors with the sign
# convention "largest |component| positive (first on ties)"
# ---------------------------------------------------------------------------
signfix <- function(V) {
  for (j in seq_len(ncol(V))) {
    i <- which.max(abs(V[, j]))
    if (V[i, j] < 0) V[, j] <- -V[, j]
  }
  V
}
wmat <- function(Mx, name) {
  df <- as.data.frame(Mx); names(df) <- paste0("V", seq_len(ncol(Mx)))
  wcsv(df, name)
}
eig_cases <- list()
X6 <- cbind(f, f + rnorm(300) * 0.5, rnorm(300), -f + rnorm(300), rnorm(300) + 0.3 * f,
            rnorm(300))
eig_cases$cor6 <- list(A = cor(X6), vec = 1)
S <- matrix(rnorm(64), 8); eig_cases$rand8 <- list(A = (S + t(S)) / 2, vec = 1)
eig_cases$one <- list(A = matrix(-3.5, 1, 1), vec = 1)
eig_cases$two <- list(A = matrix(c(2, 1, 1, 2), 2), vec = 1)
eig_cases$diag3 <- list(A = diag(c(1, 5, 3)), vec = 1)
eig_cases$cs4 <- list(A = matrix(0.5, 4, 4) + diag(0.5, 4), vec = 0) # repeated
X20 <- matrix(rnorm(300 * 20), 300) + rnorm(300)
eig_cases$cor20 <- list(A = cor(X20), vec = 1)
B <- diag(c(1e10, 1, 1e-10)); B[1, 2] <- B[2, 1] <- 1e-3; B[2, 3] <- B[3, 2] <- 1e-12
eig_cases$scaled3 <- list(A = B, vec = 1)
ecases <- data.frame(name = names(eig_cases),
                     k = sapply(eig_cases, function(e) nrow(e$A)),
                     vectors = sapply(eig_cases, function(e) e$vec))
write.table(ecases, file.path(outdir, "gc_eig_cases.csv"), sep = ",", quote = FALSE,
            row.names = FALSE)
for (nm in names(eig_cases)) {
  Am <- eig_cases[[nm]]$A
  e <- eigen(Am, symmetric = TRUE)
  wmat(Am, sprintf("gc_eig_%s_A.csv", nm))
  wcsv(data.frame(value = e$values), sprintf("gc_eig_%s_val.csv", nm))
  wmat(signfix(e$vectors), sprintf("gc_eig_%s_vec.csv", nm))
}

# ---------------------------------------------------------------------------
# PCA weights (OECD/JRC Handbook, methodology.md 4.4)
# ---------------------------------------------------------------------------
# varimax as stats::varimax(normalize = TRUE) (same SVD iteration), but run
# until the rotation matrix stops changing instead of eps = 1e-5, so that the
# reference is converged to ~1e-15.
varimax_tight <- function(x) {
  sc <- sqrt(drop(apply(x, 1L, function(r) sum(r^2))))
  sc[sc == 0] <- 1
  x <- x / sc
  p <- nrow(x); nc <- ncol(x)
  TT <- diag(nc)
  for (it in 1:3000) {
    z <- x %*% TT
    B <- t(x) %*% (z^3 - z %*% diag(drop(rep(1, p) %*% z^2)) / p)
    sB <- La.svd(B)
    TTn <- sB$u %*% sB$vt
    done <- max(abs(TTn - TT)) < 1e-14
    TT <- TTn
    if (done) break
  }
  (x %*% TT) * sc
}
pca_ref <- function(C) {
  k <- nrow(C)
  e <- eigen(C, symmetric = TRUE)
  V <- signfix(e$vectors)
  m <- max(1, sum(e$values > 1))
  L <- V %*% diag(sqrt(pmax(e$values, 0)), k)
  if (m > 1) {
    Lr <- varimax_tight(L[, 1:m, drop = FALSE])
    chk <- unclass(varimax(L[, 1:m, drop = FALSE])$loadings)
    dv <- max(abs(abs(chk) - abs(Lr)))                # same optimum as stats::varimax,
    stopifnot(dv < 2e-2)                              # which stops at eps = 1e-5
    cat(sprintf("PCA: stats::varimax (eps 1e-5) vs converged: max |loading| diff %.2g\n", dv))
    ev <- colSums(Lr^2)
    o <- order(-ev)                                 # stable: ties keep order
    Lr <- signfix(Lr[, o, drop = FALSE])
    L[, 1:m] <- Lr
  }
  ev <- c(colSums(L[, 1:m, drop = FALSE]^2), if (m < k) e$values[(m + 1):k])
  l2 <- L[, 1:m, drop = FALSE]^2
  jb <- apply(l2, 1, which.max)
  w <- sapply(1:k, function(i) (l2[i, jb[i]] / ev[jb[i]]) * (ev[jb[i]] / sum(ev[1:m])))
  list(m = m, w = w / sum(w), L = L, ev = ev)
}
gen_data <- function(n, load) {   # load: k x f matrix of true loadings
  f <- matrix(rnorm(n * ncol(load)), n)
  f %*% t(load) + matrix(rnorm(n * nrow(load)), n) * 0.7
}
pca_cases <- list(
  two6 = cor(gen_data(500, cbind(c(1, .9, .8, 0, .1, 0), c(0, .1, 0, 1, .9, .7)))),
  one4 = cor(gen_data(500, matrix(c(1, .8, .6, .9), 4))),
  three9 = cor(gen_data(800, cbind(c(1, .9, .8, 0, 0, 0, .3, 0, 0),
                                   c(0, 0, .2, 1, .8, .9, 0, 0, 0),
                                   c(0, 0, 0, 0, .2, 0, .9, 1, .8)))))
pcases <- data.frame(name = names(pca_cases), k = sapply(pca_cases, nrow), m = NA)
for (nm in names(pca_cases)) {
  C <- pca_cases[[nm]]
  r <- pca_ref(C)
  pcases$m[pcases$name == nm] <- r$m
  wmat(C, sprintf("gc_pca_%s_R.csv", nm))
  df <- data.frame(weight = r$w, explained = r$ev)
  Ld <- as.data.frame(r$L); names(Ld) <- paste0("L", seq_len(ncol(r$L)))
  wcsv(cbind(df, Ld), sprintf("gc_pca_%s_ref.csv", nm))
}
write.table(pcases, file.path(outdir, "gc_pca_cases.csv"), sep = ",", quote = FALSE,
            row.names = FALSE)

# ---------------------------------------------------------------------------
# Empirical-Bayes shrinkage (methodology.md 3.3)
# ---------------------------------------------------------------------------
np <- 60
sizes <- sample(3:12, np, replace = TRUE)
parent <- rep(0:(np - 1), sizes)
m <- length(parent)
prate <- runif(np, 0.02, 0.4)
denom <- sample(50:3000, m, replace = TRUE)
events <- rbinom(m, denom, pmin(0.95, prate[parent + 1] * exp(rnorm(m, 0, 0.4))))
events[sample(m, 5)] <- events[sample(m, 5)] + 0.5   # non-integer counts
ev_of <- function(g) which(parent == g)
events[ev_of(1)] <- 0                                # pooled rate 0
events[ev_of(2)] <- denom[ev_of(2)]                  # pooled rate 1
denom[ev_of(3)] <- 20; events[ev_of(3)] <- 4         # homogeneous: t^2 -> 0
keep4 <- ev_of(4)[1]; parent[ev_of(4)[-1]] <- 5      # parent 4: a single area
denom[ev_of(6)[1]] <- 0; events[ev_of(6)[1]] <- 0    # zero denominator
events[sample(m, 6)] <- NA
denom[sample(m, 4)] <- NA
parent[sample(m, 5)] <- -1
events <- pmin(events, denom)
nparent <- np + 2                                    # two parents with no area
wcsv(data.frame(events = events, denom = denom, parent = parent), "gc_eb_in.csv")
eb_ref <- function(events, denom, parent, nparent, mom) {
  out <- rep(NA_real_, length(events)); wt <- out
  ok <- !is.na(events) & !is.na(denom) & parent >= 0
  z <- log((events + 0.5) / (denom - events + 0.5))
  s2 <- 1 / (events + 0.5) + 1 / (denom - events + 0.5)
  for (g in 0:(nparent - 1)) {
    a <- which(ok & parent == g)
    if (!length(a)) next
    R <- sum(events[a]); D <- sum(denom[a])
    zbar <- if (R > 0 && R < D) log(R / (D - R)) else log((R + 0.5) / (D - R + 0.5))
    t2 <- 0
    if (length(a) >= 2) {
      t2 <- var(z[a])
      if (mom) t2 <- max(0, t2 - mean(s2[a]))
    }
    w <- t2 / (t2 + s2[a])
    zs <- w * z[a] + (1 - w) * zbar
    out[a] <- 1 / (1 + exp(-zs))
    wt[a] <- w
  }
  list(out = out, w = wt)
}
r1 <- eb_ref(events, denom, parent, nparent, TRUE)
r2 <- eb_ref(events, denom, parent, nparent, FALSE)
wcsv(data.frame(out_mom = r1$out, w_mom = r1$w, out_var = r2$out, w_var = r2$w,
                nparent = nparent),
     "gc_eb_ref.csv")

cat("wrote", length(list.files(outdir, pattern = "^gc_")), "files to", outdir, "\n")
