# Independent reference values from the real published files, computed in
# base R (not by cnilua): local-authority IMD summary measures built from
# LSOAs, and the rebuilt IMD 2019 ranks. Written to tests/fixtures/real/.
# usage: Rscript tests/r/real_ref.R ../shared/data/real tests/fixtures/real
args <- commandArgs(trailingOnly = TRUE)
real <- args[1]; out <- args[2]
imd <- read.csv(file.path(real, "imd2019_england_lsoa11.csv"), stringsAsFactors = FALSE)
lk <- read.csv(file.path(real, "lookup_lsoa11_ward17.csv"), stringsAsFactors = FALSE)
pop <- read.csv(file.path(real, "population_lsoa11.csv"), stringsAsFactors = FALSE)
N <- nrow(imd)
E <- function(rank, n) { R <- (n - rank + 1) / n; -23 * log(1 - R * (1 - exp(-100 / 23))) }
w <- c(Income = .225, Employment = .225, Education = .135, Health = .135,
       Crime = .093, Housing_and_Access = .093, Environment = .093)
score <- rep(0, N)
for (d in names(w)) score <- score + w[[d]] * E(imd[[paste0(d, "_rank")]], N)
imd$score <- score
d <- merge(imd[, c("lsoa11_code", "score", "IMD_rank")], lk[, c("lsoa11_code", "lad17_code")], by = "lsoa11_code")
d <- merge(d, pop[, c("lsoa11_code", "population")], by = "lsoa11_code")
stopifnot(nrow(d) == N)
# percentile (1 = most deprived): ceil(100 * rank / N)
q <- ceiling(100 * d$IMD_rank / N)
e <- ifelse(q <= 10, 1, ifelse(q <= 30, 0.95 - (0.90 / 19) * (q - 11), 0))
las <- sort(unique(d$lad17_code))
res <- data.frame(lad17_code = las,
  avg_score = sapply(las, function(l) { s <- d$lad17_code == l; sum(d$population[s] * d$score[s]) / sum(d$population[s]) }),
  extent = sapply(las, function(l) { s <- d$lad17_code == l; sum(d$population[s] * e[s]) / sum(d$population[s]) }),
  avg_rank = sapply(las, function(l) { s <- d$lad17_code == l; sum(d$population[s] * (N - d$IMD_rank[s] + 1)) / sum(d$population[s]) }),
  prop_d1 = sapply(las, function(l) { s <- d$lad17_code == l; mean(ceiling(10 * d$IMD_rank[s] / N) == 1) }))
dir.create(out, showWarnings = FALSE, recursive = TRUE)
write.csv(format(res, digits = 17), file.path(out, "la_measures_r.csv"), row.names = FALSE, quote = FALSE)
cat("wrote", nrow(res), "local authorities\n")
