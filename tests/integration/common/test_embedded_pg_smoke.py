import psycopg


def test_database_is_real_postgres(database_url: str) -> None:
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        assert conn.execute("SHOW server_version_num").fetchone()[0] >= "150000"
