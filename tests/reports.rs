//! The report formats end to end: the real binary's SARIF against the OASIS schema, JUnit
//! parsed back, and a closed stdout.
