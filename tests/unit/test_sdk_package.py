"""The recorder SDK as an npm-style package: versioned with the server, and its TypeScript declarations
compile the documented integration (and refuse a wrong one)."""

import json
import subprocess
from pathlib import Path

import pytest

import visualizer_server

ROOT = Path(__file__).resolve().parents[2]
SDK = ROOT / "visualizer_server" / "web" / "sdk"
TSC = ROOT / "node_modules" / ".bin" / "tsc"


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, Path]:
    """One tsc run (about 13 s: the DOM's declarations) over the documented example and a wrong use,
    with the example's own tsconfig settings; each error line names its file."""
    wrong = tmp_path_factory.mktemp("tsc") / "wrong.ts"
    wrong.write_text(f'import {{ Recorder }} from "{SDK / "recorder.js"}";\n'
                     'const recorder = await Recorder.connect("http://127.0.0.1:3000");\n'
                     'const take = await recorder.start({ width: 640, height: 360, encode: "gpu" });\n'
                     'await take.addFrame("not a canvas");\nexport {};\n')  # fmt: skip
    options = json.loads((SDK / "tsconfig.json").read_text())["compilerOptions"]
    flags = [part for name, value in options.items()
             for part in ([f"--{name}"] if value is True else [f"--{name}", ",".join(value) if isinstance(value, list) else value])]  # fmt: skip
    # node_modules/ comes from `npm ci` (make setup), typescript from the root package.json's devDependencies.
    result = subprocess.run([str(TSC), *flags, str(SDK / "example.ts"), str(wrong)], capture_output=True, text=True,
                            timeout=180, cwd=ROOT)  # fmt: skip
    return result, wrong


def test_the_sdk_package_has_the_servers_version():
    package = json.loads((SDK / "package.json").read_text())
    assert package["version"] == visualizer_server.__version__
    assert (SDK / package["main"]).is_file() and (SDK / package["types"]).is_file() and (SDK / "README.md").is_file()


def test_the_declarations_compile_the_documented_example(checked):
    result, wrong = checked
    errors = [line for line in result.stdout.splitlines() if ": error TS" in line]
    assert errors and all(Path(line.split("(", 1)[0]).name == wrong.name for line in errors), result.stdout + result.stderr


def test_the_declarations_refuse_a_wrong_use(checked):
    result, _ = checked
    assert result.returncode != 0
    assert 'Type \'"gpu"\' is not assignable' in result.stdout and "type 'FrameSource'" in result.stdout, result.stdout
