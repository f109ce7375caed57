#!/usr/bin/env python3
"""Benchmark contender `startup`: a spark-submit that starts a SparkSession
and stops it, doing nothing else. Its wall time is what every Spark run pays
before its first line of work (launcher JVM, driver JVM, Python, py4j, the
SparkContext), measured with the same spark-submit flags as the jobs."""
from pyspark.sql import SparkSession

if __name__ == "__main__":
    SparkSession.builder.appName("bench-startup").getOrCreate().stop()
