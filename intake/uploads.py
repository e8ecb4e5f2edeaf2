"""Keep uploads in memory, bounded per file, and never spill them to a temporary file."""

from __future__ import annotations

from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile


class BoundedMemoryUploadHandler(FileUploadHandler):
    """Hold each uploaded file in memory; skip (and note) any over the size limit.

    Skipping a file rather than failing the request keeps every text field
    the person typed; the form then says which photo was too large.
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file = BytesIO()
        self.size = 0

    def receive_data_chunk(self, raw_data, start):
        self.size += len(raw_data)
        if self.size > settings.HARBOR_MAX_IMAGE_BYTES:
            errors = getattr(self.request, "harbor_upload_errors", [])
            errors.append(self.file_name)
            self.request.harbor_upload_errors = errors
            raise SkipFile
        self.file.write(raw_data)

    def file_complete(self, file_size):
        self.file.seek(0)
        return InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
