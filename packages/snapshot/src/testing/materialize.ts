import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DirectoryNode, FileNode, type SurvivalPolicy } from './model.js';

/** Builds the model of a tree that already exists on disk; everything in it counts as durable. */
export function loadDirectory(dir: string): DirectoryNode {
  const node = new DirectoryNode();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const entryPath = path.join(dir, entry.name);
    if (entry.isDirectory()) node.current.set(entry.name, loadDirectory(entryPath));
    else if (entry.isFile()) node.current.set(entry.name, new FileNode(readFileSync(entryPath)));
  }
  node.synced();
  return node;
}

/** Replaces everything under `dir` on disk with what the model says survived the crash. */
export function writeSurvivingTree(dir: string, node: DirectoryNode, policy: SurvivalPolicy): void {
  for (const name of readdirSync(dir)) rmSync(path.join(dir, name), { recursive: true, force: true });
  writeDurableEntries(dir, node, policy);
}

function writeDurableEntries(dir: string, node: DirectoryNode, policy: SurvivalPolicy): void {
  const names = [...node.durable.keys()].sort();
  for (const name of names) {
    const child = node.durable.get(name);
    const childPath = path.join(dir, name);
    if (child instanceof FileNode) {
      writeFileSync(childPath, child.contentAfterCrash(policy));
    } else if (child instanceof DirectoryNode) {
      mkdirSync(childPath);
      writeDurableEntries(childPath, child, policy);
    }
  }
}
