"""Setup script: metadata lives in setup.cfg; runtime requirements in requirements/."""
import os.path as osp
import shutil
import warnings
from setuptools import setup
from setuptools.command.build_py import build_py

HOOK_SOURCE = osp.join('vssl_mm', 'utils', 'stack_hook.py')
HOOK_MODULE = 'vssl_mm_stack_hook'
HOOK_PTH = f'{HOOK_MODULE}.pth'
HOOK_PTH_LINE = f'import {HOOK_MODULE}; {HOOK_MODULE}.install()\n'


def parse_requirements(fname: str = 'requirements/runtime.txt') -> list:
    """Read requirement lines (no comments, no -r includes)."""
    reqs = []
    with open(fname) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#') and not line.startswith('-'):
                reqs.append(line)
    return reqs


def add_mim_extension() -> None:
    """Copy configs/ and tools/ into vssl_mm/.mim so that `mim train vssl_mm` finds them
    (the way mmaction2 packages itself for mim). In editable installs a symlink is used."""
    here = osp.dirname(osp.abspath(__file__))
    mim_path = osp.join(here, 'vssl_mm', '.mim')
    import os
    os.makedirs(mim_path, exist_ok=True)
    for name in ('configs', 'tools', 'model-index.yml'):
        src = osp.join(here, name)
        dst = osp.join(mim_path, name)
        if not osp.exists(src):
            continue
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        try:
            os.symlink(osp.relpath(src, osp.dirname(dst)), dst)
        except OSError:
            warnings.warn(f'could not link {src}; copying instead')
            if osp.isdir(src):
                shutil.copytree(src, dst)
            else:
                shutil.copyfile(src, dst)


def hook_files() -> dict:
    """Files written at the top of site-packages: the start-up fix that lets mmaction2 be
    imported before vssl_mm (see vssl_mm/utils/stack_hook.py)."""
    here = osp.dirname(osp.abspath(__file__))
    with open(osp.join(here, HOOK_SOURCE)) as f:
        source = f.read()
    return {f'{HOOK_MODULE}.py': source, HOOK_PTH: HOOK_PTH_LINE}


class BuildPyWithHook(build_py):
    """Regular installs and wheels: put the hook files at the root of build_lib, which
    becomes the root of site-packages."""

    def run(self) -> None:
        super().run()
        for name, text in hook_files().items():
            with open(osp.join(self.build_lib, name), 'w') as f:
                f.write(text)

    def get_outputs(self, include_bytecode: bool = True) -> list:
        return super().get_outputs(include_bytecode) + [
            osp.join(self.build_lib, name) for name in hook_files()
        ]


def editable_wheel_with_hook():
    """Editable installs (``pip install -e .``): add the hook files to the editable wheel
    next to setuptools' own ``__editable__`` files."""
    try:
        from setuptools.command.editable_wheel import editable_wheel
    except ImportError:  # setuptools < 64: legacy develop installs get no hook
        return None

    class EditableWheelWithHook(editable_wheel):

        def _select_strategy(self, *args, **kwargs):
            strategy = super()._select_strategy(*args, **kwargs)

            class WithHook:

                def __enter__(self):
                    strategy.__enter__()
                    return self

                def __exit__(self, *exc):
                    return strategy.__exit__(*exc)

                def __call__(self, wheel, files, mapping):
                    strategy(wheel, files, mapping)
                    for name, text in hook_files().items():
                        wheel.writestr(name, text.encode())

            return WithHook()

    return EditableWheelWithHook


if __name__ == '__main__':
    add_mim_extension()
    cmdclass = dict(build_py=BuildPyWithHook)
    if editable_wheel_with_hook() is not None:
        cmdclass['editable_wheel'] = editable_wheel_with_hook()
    setup(
        install_requires=parse_requirements('requirements/runtime.txt'),
        extras_require={
            'tests': parse_requirements('requirements/tests.txt'),
            'optional': parse_requirements('requirements/optional.txt'),
        },
        zip_safe=False,
        cmdclass=cmdclass)
