package ai.aster.trainer.repository;

/** Where the trajectory store's PostgreSQL is: JDBC URL and credentials (null when the server needs none). */
record DatabaseLocation(String jdbcUrl, String username, String password) {}
