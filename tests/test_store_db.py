"""Opening a database: every reason it cannot be opened is said in Vietnamese (the driver's words only after it)."""
from __future__ import annotations

import pytest

from conftest import PG_ADMIN_URL
from tonghop.errors import StorageError
from tonghop.store import open_db

PG_HOST = PG_ADMIN_URL.rsplit("/", 1)[0]           # postgresql+psycopg://postgres@127.0.0.1:5432


def refusal(url: str) -> str:
    with pytest.raises(StorageError) as refused:
        open_db(url).dispose()
    return str(refused.value)


@pytest.mark.parametrize("url, message", [
    ("mysql://u:bi-mat@localhost/bdg",
     "Không mở được cơ sở dữ liệu mysql://u:***@localhost/bdg: chưa cài trình điều khiển cho loại cơ sở dữ liệu "
     "'mysql'; tonghop dùng SQLite (sqlite:///đường/dẫn/tonghop.db) hoặc PostgreSQL "
     "(postgresql+psycopg://user@host/tên)"),
    ("postgresql://postgres@127.0.0.1/bdg",
     "Không mở được cơ sở dữ liệu postgresql://postgres@127.0.0.1/bdg: chưa cài trình điều khiển cho loại cơ sở "
     "dữ liệu 'postgresql'; với PostgreSQL hãy viết postgresql+psycopg://postgres@127.0.0.1/bdg"),
    ("không phải url",
     "Không mở được cơ sở dữ liệu (URL không hợp lệ): URL không đúng dạng; ví dụ đúng: sqlite:///đường/dẫn/tonghop.db "
     "hoặc postgresql+psycopg://user@host/tên"),
    ("foo://may-chu/bdg",
     "Không mở được cơ sở dữ liệu foo://may-chu/bdg: không hỗ trợ loại cơ sở dữ liệu 'foo'; tonghop dùng SQLite "
     "(sqlite:///đường/dẫn/tonghop.db) hoặc PostgreSQL (postgresql+psycopg://user@host/tên)"),
], ids=["mysql", "postgresql-without-psycopg", "not-a-url", "unknown-kind"])
def test_a_url_tonghop_cannot_use_is_explained(url, message):
    assert refusal(url) == message


def test_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "ghi-chu.db"
    path.write_text("không phải cơ sở dữ liệu " * 200)
    assert refusal(f"sqlite:///{path}") == (f"Không mở được cơ sở dữ liệu sqlite:///{path}: tệp không phải cơ sở "
                                            "dữ liệu SQLite (file is not a database)")


def test_a_server_that_does_not_answer():
    assert refusal("postgresql+psycopg://tonghop:bi-mat@127.0.0.1:1/bdg") == (
        "Không mở được cơ sở dữ liệu postgresql+psycopg://tonghop:***@127.0.0.1:1/bdg: máy chủ cơ sở dữ liệu không "
        "nhận kết nối: máy chủ chưa chạy, hoặc sai địa chỉ hay cổng (connection failed: connection to server at "
        "\"127.0.0.1\", port 1 failed: Connection refused)")


def test_a_database_not_created_on_the_server(pg_url):
    missing = pg_url + "_chua_tao"
    host = pg_url.rsplit("/", 1)[0].split("@", 1)[1]
    address, port = host.split(":")
    name = missing.rsplit("/", 1)[1]
    assert refusal(missing) == (
        f"Không mở được cơ sở dữ liệu {missing}: máy chủ chưa có cơ sở dữ liệu {name}, hãy tạo nó trước bằng lệnh "
        f"createdb {name} (connection failed: connection to server at \"{address}\", port {port} failed: FATAL:  "
        f"database \"{name}\" does not exist)")
