"""Photos: stored without a trace of where, when or on what they were taken; bad files refused kindly."""

from __future__ import annotations

import io
import os

import pytest
from django.test import override_settings
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from intake.images import ImageRejected, reencode
from intake.models import Attachment, Report
from tests.conftest import FULL_REPORT, fill_and_preview, hidden, receipt_in
from tests.intake.conftest import (
    assert_values_kept,
    field_error,
    form_values,
    jpeg_bytes,
    png_bytes,
    stored_photos,
    upload,
)

pytestmark = pytest.mark.django_db

COMMENT = b"canary-comment-taken-at-home"
XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="37,46.5N" exif:GPSLongitude="122,25.2W"/>'
    b'</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)
ICC = b"\x00\x00\x02\x0ccanary-icc-profile" + b"\x00" * 64
METADATA_MARKERS = [b"Exif", b"GPS", b"xmp", b"xpacket", b"WGS-84", b"CanaryPhone", b"SN-0042", COMMENT, b"canary-icc"]


def _phone_photo(size=(64, 48), orientation: int | None = None) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "CanaryPhone"  # Make
    exif[0x0110] = "CanaryPhone 12"  # Model
    exif[0xA431] = "SN-0042"  # BodySerialNumber
    exif[0x0132] = "2026:11:01 23:31:07"  # DateTime
    if orientation:
        exif[0x0112] = orientation
    exif[0x8825] = {  # GPS IFD
        1: "N",
        2: (37.0, 46.0, 30.0),
        3: "W",
        4: (122.0, 25.0, 10.0),
        18: "WGS-84",
        27: b"ASCII\x00\x00\x00GPS",
    }
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 40, 40))
    image.paste((0, 0, 255), (0, 0, 16, 16))  # a blue corner, to see the rotation
    image.save(out, "JPEG", exif=exif.tobytes(), comment=COMMENT, xmp=XMP, icc_profile=ICC)
    return out.getvalue()


def _assert_clean(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert image.getexif().get_ifd(0x8825) == {}
    for key in ("exif", "xmp", "comment", "icc_profile", "XML:com.adobe.xmp"):
        assert key not in image.info, key
    for marker in METADATA_MARKERS:
        assert marker not in data, marker
    return image


def test_the_phone_photo_really_carries_metadata():
    # Otherwise the tests below would prove nothing.
    data = _phone_photo()
    image = Image.open(io.BytesIO(data))
    assert image.getexif().get_ifd(0x8825)[2] == (37.0, 46.0, 30.0)
    assert {"exif", "xmp", "comment", "icc_profile"} <= set(image.info)
    for marker in METADATA_MARKERS:
        assert marker in data, marker


def test_it_strips_exif_gps_xmp_icc_and_comments_from_a_stored_jpeg(client, org_keys):
    preview = fill_and_preview(client, FULL_REPORT, {"photos": upload("IMG_0001.jpg", _phone_photo())})
    assert preview.status_code == 200, field_error(preview, "photos")
    assert "1 photo, with location and camera details removed" in preview.content.decode()
    sent = client.submit("/report/send/", {"draft": hidden(preview, "draft")})
    photos = stored_photos(receipt_in(sent))
    assert len(photos) == 1
    image = _assert_clean(photos[0])
    assert image.size == (64, 48)
    assert image.getpixel((30, 30))[0] > 150  # still the picture


def test_it_applies_the_orientation_then_forgets_it():
    data = reencode(_phone_photo(size=(64, 48), orientation=6))  # "rotate 90° clockwise to view"
    image = _assert_clean(data)
    assert image.size == (48, 64)
    r, g, b = image.getpixel((40, 6))  # the blue corner turned with the picture
    assert b > 150 and r < 100
    assert image.getpixel((6, 6))[0] > 150


def test_it_strips_png_text_chunks_and_exif():
    info = PngInfo()
    info.add_text("Comment", "canary-png-text")
    info.add_text("Location", "canary-png-ztxt", zip=True)
    info.add_itxt("XML:com.adobe.xmp", XMP.decode(), zip=False)
    exif = Image.Exif()
    exif[0x010F] = "CanaryPhone"
    data = png_bytes(pnginfo=info, exif=exif.tobytes())
    original = Image.open(io.BytesIO(data))
    assert original.text.get("Comment") == "canary-png-text"
    clean = reencode(data)
    _assert_clean(clean)
    for marker in (b"canary-png-text", b"canary-png-ztxt", b"tEXt", b"zTXt", b"iTXt"):
        assert marker not in clean


def test_it_strips_webp_metadata():
    exif = Image.Exif()
    exif[0x010F] = "CanaryPhone"
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (1, 2, 3)).save(out, "WEBP", exif=exif.tobytes(), xmp=XMP)
    assert b"CanaryPhone" in out.getvalue()
    _assert_clean(reencode(out.getvalue()))


def test_it_shrinks_huge_photos():
    image = Image.open(io.BytesIO(reencode(jpeg_bytes(size=(3000, 1000)))))
    assert image.size == (2048, 683)


@pytest.mark.parametrize(
    "data,message",
    [
        (b"%PDF-1.4\n1 0 obj <<>> endobj\n", "We couldn't open this file as a photo."),
        (b"", "We couldn't open this file as a photo."),
        (b"GIF89a" + b"\x00" * 40, "We couldn't open this file as a photo."),
    ],
    ids=["pdf", "empty", "broken-gif"],
)
def test_reencode_refuses_what_is_not_a_photo(data, message):
    with pytest.raises(ImageRejected, match=message):
        reencode(data)


def test_reencode_refuses_other_image_formats():
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "GIF")
    with pytest.raises(ImageRejected, match="not a JPEG, PNG or WebP"):
        reencode(out.getvalue())


def test_reencode_refuses_a_decompression_bomb_before_decoding():
    out = io.BytesIO()
    Image.new("1", (8000, 6000)).save(out, "PNG")  # 48 megapixels in a few kilobytes
    assert len(out.getvalue()) < 200_000
    with pytest.raises(ImageRejected, match="too large"):
        reencode(out.getvalue())


def _noisy_jpeg(size=(200, 200)) -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(out, "JPEG", quality=95)
    return out.getvalue()


# --- refused kindly, with everything kept -------------------------------------------------


@pytest.mark.parametrize(
    "name,data,content_type",
    [
        ("notes.jpg", b"This is not a photo at all, it is text.\n" * 20, "image/jpeg"),
        ("statement.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "application/pdf"),
        ("half.jpg", _noisy_jpeg()[:3000], "image/jpeg"),
        ("empty.jpg", b"", "image/jpeg"),
    ],
    ids=["text", "pdf", "truncated", "empty"],
)
def test_it_refuses_a_file_that_is_not_a_photo_kindly(client, org_keys, name, data, content_type):
    response = fill_and_preview(client, FULL_REPORT, {"photos": upload(name, data, content_type)})
    assert response.status_code == 400
    message = field_error(response, "photos")
    assert message, "no message at the photos field"
    assert "Traceback" not in response.content.decode()
    assert_values_kept(response, FULL_REPORT)
    assert Report.objects.count() == 0


def test_it_names_the_file_it_could_not_open(client, org_keys):
    response = fill_and_preview(client, FULL_REPORT, {"photos": upload("IMG_9999.jpg", b"not an image" * 10)})
    assert "IMG_9999.jpg" in field_error(response, "photos")
    assert "couldn't open this file as a photo" in field_error(response, "photos")


@override_settings(HARBOR_MAX_IMAGES=2)
def test_it_refuses_too_many_photos_and_keeps_the_text(client, org_keys):
    files = {"photos": [upload(f"p{i}.jpg", jpeg_bytes()) for i in range(3)]}
    response = fill_and_preview(client, FULL_REPORT, files)
    assert response.status_code == 400
    assert "at most 2 photos" in field_error(response, "photos")
    assert_values_kept(response, FULL_REPORT)
    assert Report.objects.count() == 0


@override_settings(HARBOR_MAX_IMAGE_BYTES=20_000)
def test_it_skips_an_oversized_photo_naming_it_and_keeps_the_rest(client, org_keys):
    big = _noisy_jpeg((300, 300))
    assert len(big) > 20_000
    files = {"photos": [upload("holiday-big.jpg", big), upload("small.jpg", jpeg_bytes())]}
    response = fill_and_preview(client, FULL_REPORT, files)
    assert response.status_code == 400
    message = field_error(response, "photos")
    assert "holiday-big.jpg" in message and "was not added" in message
    assert "small.jpg" not in message
    assert_values_kept(response, FULL_REPORT)
    # The small photo is carried, ready to send.
    assert form_values(response)["keep_photos"] == ["0"]
    assert Report.objects.count() == 0


def _resend(client, response, **changes):
    """Press Continue on a page the form came back on, as a browser would."""
    values = form_values(response)
    again = {
        name: v if name in ("crime_types", "needs", "consent", "keep_photos") else v[0] for name, v in values.items()
    }
    again.update(changes, action="preview")
    return client.post("/report/", again)


def test_a_photo_survives_a_form_error(client, org_keys):
    response = fill_and_preview(client, dict(FULL_REPORT, role=""), {"photos": upload("IMG_0001.jpg", _phone_photo())})
    assert response.status_code == 400
    assert field_error(response, "role")
    assert hidden(response, "carried_photos")
    assert form_values(response)["keep_photos"] == ["0"]
    assert "Photo 1" in response.content.decode()

    preview = _resend(client, response, role="victim")
    assert preview.status_code == 200, field_error(preview, "photos")
    assert "1 photo" in preview.content.decode()
    sent = client.submit("/report/send/", {"draft": hidden(preview, "draft")})
    photos = stored_photos(receipt_in(sent))
    assert len(photos) == 1
    _assert_clean(photos[0])
    assert Attachment.objects.count() == 1


def test_a_carried_photo_can_be_taken_out(client, org_keys):
    response = fill_and_preview(client, dict(FULL_REPORT, role=""), {"photos": upload("IMG_0001.jpg", jpeg_bytes())})
    preview = _resend(client, response, role="victim", keep_photos=[])
    assert preview.status_code == 200
    assert "with location and camera details removed" not in preview.content.decode()
    client.submit("/report/send/", {"draft": hidden(preview, "draft")})
    assert Attachment.objects.count() == 0


def test_a_forged_carried_photo_token_is_ignored(client, org_keys):
    response = fill_and_preview(client, dict(FULL_REPORT, carried_photos="forged", keep_photos=["0"]))
    assert response.status_code in (200, 400)
    preview = _resend(client, response) if response.status_code == 400 else response
    assert preview.status_code == 200
    assert "with location and camera details removed" not in preview.content.decode()
    client.submit("/report/send/", {"draft": hidden(preview, "draft")})
    assert Attachment.objects.count() == 0


def test_several_photos_are_stored_in_order(client, org_keys):
    colours = [(250, 0, 0), (0, 250, 0), (0, 0, 250)]
    files = {"photos": [upload(f"p{i}.jpg", jpeg_bytes(color=c)) for i, c in enumerate(colours)]}
    preview = fill_and_preview(client, FULL_REPORT, files)
    assert preview.status_code == 200
    sent = client.submit("/report/send/", {"draft": hidden(preview, "draft")})
    photos = stored_photos(receipt_in(sent))
    assert len(photos) == 3
    for data, colour in zip(photos, colours, strict=True):
        pixel = Image.open(io.BytesIO(data)).getpixel((5, 5))
        assert max(range(3), key=lambda i: pixel[i]) == colour.index(250)
