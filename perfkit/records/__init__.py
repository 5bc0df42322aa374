"""The council's records: the data contract, reading and checking files, the check cache."""
