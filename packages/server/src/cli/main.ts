// The `kilndb` command line. (Stub: to be built.)
process.stderr.write('kilndb: not built yet\n');
process.exitCode = 1;
