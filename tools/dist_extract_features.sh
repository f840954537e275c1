#!/usr/bin/env bash
# Usage: bash tools/dist_extract_features.sh CONFIG CHECKPOINT NPROC [extract_features.py args]
# e.g. PORT=29501 bash tools/dist_extract_features.sh CFG CKPT 8 --list ann.txt --out feats/
# Rank r of W embeds videos r, r+W, ...; rank 0 writes the index once all are done.
# Several nodes: NNODES, NODE_RANK, MASTER_ADDR and PORT from the environment.
# On a machine without CUDA the ranks are CPU processes talking over gloo.
set -e
CONFIG=$1
CHECKPOINT=$2
NPROC=$3
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}

PYTHONPATH="$(dirname "$0")/..":$PYTHONPATH \
python -m torch.distributed.run \
    --nnodes=$NNODES \
    --node_rank=$NODE_RANK \
    --master_addr=$MASTER_ADDR \
    --nproc_per_node=$NPROC \
    --master_port=$PORT \
    "$(dirname "$0")"/extract_features.py \
    $CONFIG $CHECKPOINT \
    --launcher pytorch "${@:4}"
