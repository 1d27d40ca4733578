# compare_ref.R: reference rank correlations for the comparison fixture
# (tests/fixtures/compare; checked by tests/lua/compare_spec.lua).
#
# Usage: Rscript tests/r/compare_ref.R tests/fixtures/compare
# Base R only (written against R 4.2). Reads ranks.csv: the index ranks of
# the twelve fixture wards in the base spec (base.lua) and in three
# variants, worked out by hand in compare_spec.lua (and checked there
# against the builds):
#   threshold  the same ranks (only the rule changes)
#   weights    weights a = 2, b = 1, c = 0.5 with average ranks for ties
#              (W04/W06 share 2.5, W07/W11 share 6.5)
#   missing    domain c taken from c_alt, missing for W05 (no rank)
# Writes r_ref.csv: pair, n (complete rows), spearman, kendall (tau-b, as
# cor(method = "kendall")), numbers with %.17g.
args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args) >= 1) args[1] else "tests/fixtures/compare"
r <- read.csv(file.path(dir, "ranks.csv"), stringsAsFactors = FALSE)
# the same vectors, written out: the CSV must hold them
stopifnot(identical(as.numeric(r$base), c(2, 1, 5, 3, 10, 4, 7, 6, 12, 8, 9, 11)))
stopifnot(identical(as.numeric(r$weights), c(5, 1, 8, 2.5, 11, 2.5, 6.5, 4, 12, 9, 6.5, 10)))
fmt <- function(v) ifelse(is.na(v), "NA", sprintf("%.17g", as.numeric(v)))
pairs <- c("threshold", "weights", "missing")
out <- data.frame(pair = pairs, n = NA_real_, spearman = NA_real_, kendall = NA_real_)
for (i in seq_along(pairs)) {
  x <- r$base; y <- r[[pairs[i]]]
  ok <- !is.na(x) & !is.na(y)
  out$n[i] <- sum(ok)
  out$spearman[i] <- cor(x[ok], y[ok], method = "spearman")
  out$kendall[i] <- cor(x[ok], y[ok], method = "kendall")
}
lines <- paste(out$pair, fmt(out$n), fmt(out$spearman), fmt(out$kendall), sep = ",")
writeLines(c("pair,n,spearman,kendall", lines), file.path(dir, "r_ref.csv"))
print(out)
