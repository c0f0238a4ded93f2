"""The upload store: files named by the SHA-256 of their content, outside the static folder,
written whole or not at all. Two uploads of the same bytes share one file, so a file is never
deleted when a record that named it goes (another record, or a rolled-back delete, may still
need it)."""

import hashlib
import io
import os
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from PIL import Image


def content_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def image_format(content: bytes) -> str | None:
    """Pillow's name of the image format of the bytes ("JPEG", "PNG", ...), or None when
    Pillow cannot read them whole: the content decides, never the file name. An image that
    would decompress into too many pixels counts as unreadable."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                found = image.format
                image.verify()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Warning):
        return None
    return found


def stored_path(store: Path, area: str, sha256: str, *, suffix: str = "") -> Path:
    """Where a file of an area of the store ("photos", "documents") lives: fanned out by the
    first two hex digits so no directory grows too large."""
    return Path(store) / area / sha256[:2] / f"{sha256}{suffix}"


#: folders of the instance and the upload store: the application's user only
PRIVATE_FOLDER = 0o700
#: the database, the secret key and every stored file: the application's user only
PRIVATE_FILE = 0o600


def make_private_folder(path: Path) -> None:
    """Create a folder and any missing parent readable by the application's user only
    (`Path.mkdir` would give the parents the umask's mode, often world-readable)."""
    path = Path(path)
    missing = [folder for folder in (path, *path.parents) if not folder.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_FOLDER, exist_ok=True)


def create_private_file(path: Path) -> bool:
    """Create an empty file readable by the application's user only, before anything is
    written in it; False when it already exists."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        return False
    return True


def write_once(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write a file of the store atomically (a temporary file renamed into place, so a reader
    never sees half a file); an existing file, same content by its name, is kept. The file is
    created 0600 (mkstemp's mode, kept by the rename) in folders created 0700."""
    if path.exists():
        return
    make_private_folder(path.parent)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
