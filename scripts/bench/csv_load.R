# Load a CSV with base R read.csv (the issue-2 benchmark peer). usage: Rscript csv_load.R FILE
d <- read.csv(commandArgs(trailingOnly = TRUE)[1])
cat(sprintf("rows=%d cols=%d\n", nrow(d), ncol(d)))
