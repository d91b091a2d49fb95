"""The rendered manifest: ribbon, function names, origin, icons, resources."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ORIGIN = "https://127.0.0.1:5443"
ADDIN = Path(__file__).resolve().parents[2] / "addin"
NS = {
    "o": "http://schemas.microsoft.com/office/appforoffice/1.1",
    "ov": "http://schemas.microsoft.com/office/taskpaneappversionoverrides",
    "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
XSI_TYPE = f"{{{NS['xsi']}}}type"


@pytest.fixture
def manifest(client):
    response = client.get("/addin/manifest.xml", base_url=ORIGIN)
    assert response.status_code == 200
    assert response.mimetype == "application/xml"

    return response.get_data(as_text=True)


@pytest.fixture
def root(manifest):
    return ET.fromstring(manifest.encode("utf-8"))


def fetch(client, path: str) -> tuple[int, bytes]:
    """GET a file and close the response, which streams from an open file."""
    response = client.get(path)
    data = response.data
    response.close()

    return response.status_code, data


def resources(root, kind: str) -> dict[str, str]:
    items = root.iterfind(f".//ov:Resources/bt:{kind}/bt:*", NS)
    return {item.get("id"): item.get("DefaultValue") for item in items}


def all_urls(root) -> list[str]:
    urls = [
        element.get("DefaultValue")
        for element in root.iter()
        if (element.get("DefaultValue") or "").startswith(("http:", "https:"))
    ]
    urls += [domain.text for domain in root.iterfind(".//o:AppDomain", NS)]

    return urls


def associated_functions() -> set[str]:
    text = (ADDIN / "commands.js").read_text(encoding="utf-8")

    return set(re.findall(r"Office\.actions\.associate\(\s*\"([^\"]+)\"", text))


def test_manifest_placeholders_filled(manifest):
    assert "${" not in manifest
    assert "base_url" in manifest


def test_every_url_on_server_origin(root):
    urls = all_urls(root)

    assert len(urls) > 10
    for url in urls:
        assert url == ORIGIN or url.startswith(ORIGIN + "/addin/"), url


def test_public_url_setting_wins(app, client):
    app.config["DATAPREP_PUBLIC_URL"] = "https://dataprep.district.test/"
    text = client.get("/addin/manifest.xml", base_url=ORIGIN).get_data(as_text=True)
    urls = all_urls(ET.fromstring(text.encode("utf-8")))

    assert all(url.startswith("https://dataprep.district.test") for url in urls)


def test_ribbon_tab_and_buttons(root):
    tab = root.find(
        ".//ov:ExtensionPoint[@xsi:type='PrimaryCommandSurface']/ov:CustomTab", NS
    )
    strings = resources(root, "ShortStrings")
    labels = [
        strings[control.find("ov:Label", NS).get("resid")]
        for control in tab.iterfind(".//ov:Control", NS)
    ]

    assert strings[tab.find("ov:Label", NS).get("resid")] == "SIS Data Prep"
    assert labels == ["Validate", "Submit", "Templates"]


def test_function_names_are_associated(root):
    actions = root.iterfind(".//ov:Action", NS)
    names = [
        action.find("ov:FunctionName", NS).text
        for action in actions
        if action.get(XSI_TYPE) == "ExecuteFunction"
    ]

    assert names == ["validate", "submit"]
    assert set(names) <= associated_functions()


def test_taskpane_action_points_at_pane(root, client):
    action = next(
        a
        for a in root.iterfind(".//ov:Action", NS)
        if a.get(XSI_TYPE) == "ShowTaskpane"
    )
    url = resources(root, "Urls")[action.find("ov:SourceLocation", NS).get("resid")]
    status, data = fetch(client, url.removeprefix(ORIGIN))

    assert url == f"{ORIGIN}/addin/taskpane.html"
    assert status == 200
    assert b"taskpane.js" in data


def test_every_resid_is_defined(root):
    defined = set()
    for kind in ("Images", "Urls", "ShortStrings", "LongStrings"):
        defined |= set(resources(root, kind))
    used = {element.get("resid") for element in root.iter() if element.get("resid")}

    assert used <= defined


def test_icons_exist_and_are_served(root, client):
    images = list(resources(root, "Images").values())
    images += [root.find("o:IconUrl", NS).get("DefaultValue")]
    images += [root.find("o:HighResolutionIconUrl", NS).get("DefaultValue")]

    for url in images:
        path = url.removeprefix(f"{ORIGIN}/addin/")
        status, data = fetch(client, url.removeprefix(ORIGIN))
        assert (ADDIN / path).is_file(), path
        assert status == 200, path
        assert data.startswith(b"\x89PNG"), path


def test_function_file_is_served(root, client):
    url = resources(root, "Urls")["Commands.Url"]
    status, data = fetch(client, url.removeprefix(ORIGIN))

    assert status == 200
    assert b'src="commands.js"' in data


@pytest.mark.parametrize(
    "path",
    ["test/client.test.js", "package.json", "node_modules/x.js", "manifest.xml.bak"],
)
def test_other_files_not_served(client, path):
    assert client.get(f"/addin/{path}").status_code == 404


def test_template_download(client):
    status, data = fetch(client, "/addin/templates/user-mapping-report.xlsx")

    assert status == 200
    assert data.startswith(b"PK")
