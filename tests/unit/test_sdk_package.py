"""The recorder SDK as an npm-style package: versioned with the server, and its TypeScript declarations
compile the documented integration (and refuse a wrong one)."""

import json
import subprocess
from pathlib import Path

import visualizer_server

ROOT = Path(__file__).resolve().parents[2]
SDK = ROOT / "visualizer_server" / "web" / "sdk"
TSC = ROOT / "node_modules" / ".bin" / "tsc"


def _tsc(*arguments: str) -> subprocess.CompletedProcess:
    # node_modules/ comes from `npm ci` (make setup), typescript from the root package.json's devDependencies.
    return subprocess.run([str(TSC), *arguments], capture_output=True, text=True, timeout=180, cwd=ROOT)


def test_the_sdk_package_has_the_servers_version():
    package = json.loads((SDK / "package.json").read_text())
    assert package["version"] == visualizer_server.__version__
    assert (SDK / package["main"]).is_file() and (SDK / package["types"]).is_file() and (SDK / "README.md").is_file()


def test_the_declarations_compile_the_documented_example():
    result = _tsc("-p", str(SDK))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_declarations_refuse_a_wrong_use(tmp_path):
    wrong = tmp_path / "wrong.ts"
    wrong.write_text(f'import {{ Recorder }} from "{SDK / "recorder.js"}";\n'
                     'const recorder = await Recorder.connect("http://127.0.0.1:3000");\n'
                     'const take = await recorder.start({ width: 640, height: 360, encode: "gpu" });\n'
                     'await take.addFrame("not a canvas");\nexport {};\n')  # fmt: skip
    result = _tsc("--noEmit", "--strict", "--target", "es2022", "--module", "es2022", "--moduleResolution", "bundler",
                  "--lib", "es2022,dom", str(wrong))  # fmt: skip
    assert result.returncode != 0
    assert 'Type \'"gpu"\' is not assignable' in result.stdout and "type 'FrameSource'" in result.stdout, result.stdout
