// The chunk map of the snapshot's disk file, read with kopia's library: the file's entry in the snapshot, the
// chunk objects of its indirect object in file order, and those grouped by object.
package main

import (
	"context"
	"fmt"

	"github.com/kopia/kopia/fs"
	"github.com/kopia/kopia/repo"
	"github.com/kopia/kopia/repo/content"
	"github.com/kopia/kopia/repo/manifest"
	"github.com/kopia/kopia/repo/object"
	"github.com/kopia/kopia/snapshot"
	"github.com/kopia/kopia/snapshot/snapshotfs"
)

// chunk is one place in the file and the object that holds its bytes.
type chunk struct {
	offset int64
	length int64
	id     object.ID
}

// group is one chunk object and every place in the file that holds it, in file order of first appearance.
type group struct {
	id     object.ID
	places []chunk
}

// Files over 2 GiB are uploaded in parts and concatenated, so an index entry may be indirect again; kopia nests
// no deeper than a few levels.
const maxIndirection = 8

// snapshotFile is the disk file of a snapshot: its root, or the one file of a root directory.
func snapshotFile(ctx context.Context, rep repo.Repository, id string) (*snapshot.DirEntry, error) {
	man, err := snapshot.LoadSnapshot(ctx, rep, manifest.ID(id))
	if err != nil {
		return nil, fmt.Errorf("cannot load snapshot %s: %w", id, err)
	}
	root := man.RootEntry
	if root == nil {
		return nil, fmt.Errorf("snapshot %s has no root entry", id)
	}
	switch root.Type {
	case snapshot.EntryTypeFile:
		return root, nil
	case snapshot.EntryTypeDirectory:
		entries, err := fs.GetAllEntries(ctx, snapshotfs.DirectoryEntry(rep, root.ObjectID, root.DirSummary))
		if err != nil {
			return nil, fmt.Errorf("cannot list the root folder of snapshot %s: %w", id, err)
		}
		if len(entries) != 1 {
			return nil, fmt.Errorf("the root folder of snapshot %s holds %d entries, expected one file", id, len(entries))
		}
		holder, ok := entries[0].(snapshot.HasDirEntry)
		if !ok || holder.DirEntry().Type != snapshot.EntryTypeFile {
			return nil, fmt.Errorf("the root folder of snapshot %s holds %q, which is not a file", id, entries[0].Name())
		}
		return holder.DirEntry(), nil
	default:
		return nil, fmt.Errorf("the root of snapshot %s is neither a file nor a folder (type %q)", id, root.Type)
	}
}

// expand appends the chunks of the object at [base, base+length) of the file: an indirect object's entries are
// read from its index object (kopia's object.LoadIndexObject), recursively.
func expand(ctx context.Context, rep repo.DirectRepository, id object.ID, base, length int64, depth int, chunks *[]chunk) error {
	indexID, indirect := id.IndexObjectID()
	if !indirect {
		*chunks = append(*chunks, chunk{offset: base, length: length, id: id})
		return nil
	}
	if depth >= maxIndirection {
		return fmt.Errorf("object %v: indirection too deep", id)
	}
	entries, err := object.LoadIndexObject(ctx, indexContents{rep.ContentReader(), rep}, indexID)
	if err != nil {
		return fmt.Errorf("cannot read the index of object %v: %w", id, err)
	}
	for _, e := range entries {
		if err := expand(ctx, rep, e.Object, base+e.Start, e.Length, depth+1, chunks); err != nil {
			return err
		}
	}
	return nil
}

// indexContents is what object.LoadIndexObject reads through: the repository's content reader, plus the prefetch
// call that only the repository itself has.
type indexContents struct {
	content.Reader
	rep repo.DirectRepository
}

func (c indexContents) PrefetchContents(ctx context.Context, ids []content.ID, hint string) []content.ID {
	return c.rep.PrefetchContents(ctx, ids, hint)
}

func checkContiguous(chunks []chunk, size int64) error {
	var at int64
	for _, c := range chunks {
		if c.offset != at {
			return fmt.Errorf("the chunk map has a gap or overlap at offset %d", at)
		}
		at += c.length
	}
	if at != size {
		return fmt.Errorf("the chunk map covers %d bytes, the snapshot says %d", at, size)
	}
	return nil
}

func groupByObject(chunks []chunk) []group {
	at := map[object.ID]int{}
	var groups []group
	for _, c := range chunks {
		g, seen := at[c.id]
		if !seen {
			g = len(groups)
			at[c.id] = g
			groups = append(groups, group{id: c.id})
		}
		groups[g].places = append(groups[g].places, c)
	}
	return groups
}
