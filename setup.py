"""Setup script: metadata lives in setup.cfg; runtime requirements in requirements/."""
import os.path as osp
import shutil
import warnings

from setuptools import setup


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


if __name__ == '__main__':
    add_mim_extension()
    setup(
        install_requires=parse_requirements('requirements/runtime.txt'),
        extras_require={
            'tests': parse_requirements('requirements/tests.txt'),
            'optional': parse_requirements('requirements/optional.txt'),
        },
        zip_safe=False)
