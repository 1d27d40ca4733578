# Independent reference for the variant scripts (scripts/variants/*.lua):
# the flagged count of each variant computed in base R from the real files,
# written out step by step (no cnilua code involved).
# usage: Rscript tests/r/variants_ref.R ../shared/data/real tests/fixtures/real
args <- commandArgs(trailingOnly = TRUE)
real <- args[1]; out <- args[2]
rd <- function(f) read.csv(file.path(real, f), stringsAsFactors = FALSE, check.names = FALSE)
cni <- rd("cni2019_england_ward17.csv"); imd <- rd("imd2019_england_lsoa11.csv")
lk <- rd("lookup_lsoa11_ward17.csv"); pop <- rd("population_lsoa11.csv")
E <- function(rank, n) { R <- (n - rank + 1) / n; -23 * log(1 - R * (1 - exp(-100 / 23))) }
rank_desc <- function(s) { r <- rep(NA_real_, length(s)); o <- order(-s, na.last = NA); r[o] <- seq_along(o); r }
# LSOA IMD score from the domain ranks; ward IMD = population-weighted mean
N <- nrow(imd)
w <- c(Income = .225, Employment = .225, Education = .135, Health = .135,
       Crime = .093, Housing_and_Access = .093, Environment = .093)
imd$score <- 0
for (d in names(w)) imd$score <- imd$score + w[[d]] * E(imd[[paste0(d, "_rank")]], N)
l <- merge(merge(imd[, c("lsoa11_code", "score")], lk[, c("lsoa11_code", "ward17_code")]),
           pop[, c("lsoa11_code", "population")])
ws <- sapply(split(l, l$ward17_code), function(g) sum(g$score * g$population) / sum(g$population))
wp <- sapply(split(l, l$ward17_code), function(g) sum(g$population))
W <- nrow(cni)
cni$imd <- ws[cni$ward17_code]            # NA for the 12 wards without LSOAs
cni$pop <- wp[cni$ward17_code]
imd_rank <- rank_desc(cni$imd)
r1 <- cni[["Civic Assets rank"]]; r2 <- cni[["Connectedness rank"]]; r3 <- cni[["Engaged community rank"]]
top <- function(rank, share) !is.na(rank) & rank <= floor(share * sum(!is.na(rank)) + 1e-9)
count_rule <- function(score, ishare, dshare) {
  rk <- rank_desc(score); sum(top(rk, ishare) & top(imd_rank, dshare))
}
res <- list()
base <- E(r1, W) + E(r2, W) + E(r3, W)
res$baseline <- count_rule(base, .10, .10)
res$lbn_15_15 <- count_rule(base, .15, .15)
res$lbn_20_20 <- count_rule(base, .20, .20)
res$lbn_cni10_imd20 <- count_rule(base, .10, .20)
res$weights_50_25_25 <- count_rule(.5 * E(r1, W) + .25 * E(r2, W) + .25 * E(r3, W), .10, .10)
res$drop_civic_assets <- count_rule(E(r2, W) + E(r3, W), .10, .10)
res$drop_connectedness <- count_rule(E(r1, W) + E(r3, W), .10, .10)
res$drop_engaged_community <- count_rule(E(r1, W) + E(r2, W), .10, .10)
ns <- function(r) qnorm((W - r + 1) / (W + 1))
res$normal_scores <- count_rule(ns(r1) + ns(r2) + ns(r3), .10, .10)
res$borda <- count_rule(-(r1 + r2 + r3) / 3, .10, .10)   # lower mean rank = more need
k <- (r1 <= floor(.1 * W)) + (r2 <= floor(.1 * W)) + (r3 <= floor(.1 * W))
res$two_of_three <- sum(k >= 2 & top(imd_rank, .10))
# population deciles: areas whose cumulative population, most need first,
# is within 10% of the total population (wards without population excluded)
ptop <- function(rank, share) {
  o <- order(rank); cp <- cumsum(ifelse(is.na(cni$pop[o]), 0, cni$pop[o]))
  f <- rep(FALSE, W); f[o] <- cp <= share * sum(cni$pop, na.rm = TRUE) * (1 + 1e-12) & !is.na(cni$pop[o]) & !is.na(rank[o])
  f
}
res$population_deciles <- sum(ptop(rank_desc(base), .10) & ptop(imd_rank, .10))
d <- data.frame(variant = names(res), flagged = unlist(res))
dir.create(out, showWarnings = FALSE, recursive = TRUE)
write.csv(d, file.path(out, "variant_counts_r.csv"), row.names = FALSE, quote = FALSE)
print(d, row.names = FALSE)
