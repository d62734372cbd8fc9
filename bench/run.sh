#!/bin/sh
# Runs the engine benchmark grid of docs/benchmarks.md ("Engine (JMH)") and prints its tables.
# Build first (the benchmarks measure the plugin jar installed from this checkout):
#   mvn -B -q install -DskipSurefire=true -DskipTests && mvn -B -q -f bench/pom.xml package
# One fork, 3 x 1 s warm-up and 3 x 1 s measurement per benchmark, sample mode (each call timed, so the
# fastest calls show the speed on a quiet core even where other processes share the machine): about
# 35 minutes on 2 cores.
set -e
cd "$(dirname "$0")"
J25=${J25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
J17=${J17:-/usr/lib/jvm/java-17-openjdk-amd64/bin/java}
OPTS="-f 1 -wi 3 -w 1 -i 3 -r 1 -rf json"
SAMPLE="-bm sample"
VECTOR="--add-modules jdk.incubator.vector"
mkdir -p results

# The core's measured double-precision FMA ceiling (registers only).
$J25 $VECTOR -jar target/benchmarks.jar 'PeakFmaBenchmark' $OPTS -rff results/peak-jdk25.json
# SIFT on the whole grid: Vector API kernels on both data sets, scalar kernels on Gaussian data.
$J25 $VECTOR -jar target/benchmarks.jar 'EngineBenchmark.sift$' -p ops=panama $SAMPLE -tu ms $OPTS -rff results/sift-jdk25.json
$J25 $VECTOR -jar target/benchmarks.jar 'EngineBenchmark.sift$' -p ops=scalar -p data=gaussian $SAMPLE -tu ms $OPTS -rff results/sift-scalar-jdk25.json
# kNN windows (the K of 4K vectors nearest the query, best first: the engine's real input), K >= 1000, N <= 50,
# with the iid data sets again in the same run for comparison; SIFT and nearest.
KNN_SHAPES=1000x384x10,1000x384x50,1000x768x10,1000x768x50,1000x1536x10,1000x1536x50
KNN_SHAPES=$KNN_SHAPES,10000x384x10,10000x384x50,10000x768x10,10000x768x50,10000x1536x10,10000x1536x50
$J25 $VECTOR -jar target/benchmarks.jar 'EngineBenchmark.(sift|nearest)$' -p ops=panama \
  -p data=gaussian,clustered,gaussian-knn,clustered-knn -p shape=$KNN_SHAPES $SAMPLE -tu ms $OPTS -rff results/knn-jdk25.json
# The baselines on the whole grid, Vector API kernels, Gaussian data.
$J25 $VECTOR -jar target/benchmarks.jar 'EngineBenchmark.(nearest|mmr)$' -p ops=panama -p data=gaussian $SAMPLE -tu ms $OPTS -rff results/baselines-jdk25.json
# The matrix-vector product alone.
$J25 $VECTOR -jar target/benchmarks.jar 'DotRowsBenchmark' $SAMPLE -tu us $OPTS -rff results/dotrows-jdk25.json
# JDK 17 (the plugin's minimum), K = 1000 only: scalar, and the Vector API as incubated in 17.
$J17 $VECTOR -jar target/benchmarks.jar 'EngineBenchmark.sift$' -p data=gaussian \
  -p shape=1000x384x10,1000x384x50,1000x384x200,1000x768x10,1000x768x50,1000x768x200,1000x1536x10,1000x1536x50,1000x1536x200 \
  $SAMPLE -tu ms $OPTS -rff results/sift-jdk17.json

python3 report.py results/*.json
