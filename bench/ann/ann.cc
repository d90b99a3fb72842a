// SPDX-License-Identifier: GPL-2.0
/*
 * bench/ann: the VexFS core against hnswlib and faiss IndexHNSWFlat on the
 * same data, in one run, on one thread: M=16, ef_construction=100, an ef
 * sweep, k=10. Prints recall@10, QPS, p50/p99 latency, build time and index
 * memory per library, writes a CSV and a recall-vs-QPS plot per data set.
 *
 * All three indexes live in one process: each one's index memory is the heap
 * its build added (the data set is the bench's own copy, not counted);
 * searches alternate between libraries (see run_all()).
 *
 * The machine may be shared, so every ef is measured --rounds times and the
 * fastest round is kept (latencies from that round too).
 *
 *   ann [--data fashion,synth] [--queries N] [--ef 10,16,...] [--rounds R]
 *       [--libs vexfs,hnswlib,faiss] [--out build/bench]
 */
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <malloc.h>
#include <unistd.h>
#include <zlib.h>

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <hnswlib/hnswlib.h>
#include <omp.h>

#include "vexfs_adapter.h"

namespace
{

constexpr unsigned kK = 10;
constexpr unsigned kM = 16;
constexpr unsigned kEfConstruction = 100;
constexpr unsigned kSeed = 100;

struct Dataset {
	std::string name;
	size_t dim = 0, nb = 0, nq = 0;
	std::vector<float> base, queries;
	std::vector<int> gt; // nq x kK exact neighbours
};

struct Row {
	std::string lib, data;
	unsigned ef;
	double recall, qps, p50_us, p99_us, build_s, index_mb, bytes_per_vec;
};

double now_s()
{
	using namespace std::chrono;
	return duration<double>(steady_clock::now().time_since_epoch()).count();
}

/* CPU time of this thread: builds compared on a shared machine. */
double cpu_s()
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

std::vector<std::string> split(const std::string &s, char sep)
{
	std::vector<std::string> out;
	std::stringstream in(s);
	std::string item;

	while (std::getline(in, item, sep))
		if (!item.empty())
			out.push_back(item);
	return out;
}

uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* An IDX image file (gzipped, as Debian ships it) as float rows. */
bool read_idx_images(const std::string &path, std::vector<float> &out,
		     size_t &n, size_t &dim)
{
	gzFile f = gzopen(path.c_str(), "rb");
	unsigned char hdr[16];

	if (!f)
		return false;
	if (gzread(f, hdr, 16) != 16 || be32(hdr) != 0x803) {
		gzclose(f);
		return false;
	}
	n = be32(hdr + 4);
	dim = (size_t)be32(hdr + 8) * be32(hdr + 12);
	std::vector<unsigned char> px(n * dim);
	bool ok = gzread(f, px.data(), (unsigned)px.size()) == (int)px.size();
	gzclose(f);
	out.assign(px.begin(), px.end());
	return ok;
}

bool load_fashion(Dataset &ds)
{
	const std::string dir = "/usr/share/datasets/fashion-mnist/";
	size_t d2;

	ds.name = "fashion-mnist-784";
	return read_idx_images(dir + "train-images-idx3-ubyte.gz", ds.base,
			       ds.nb, ds.dim) &&
	       read_idx_images(dir + "t10k-images-idx3-ubyte.gz", ds.queries,
			       ds.nq, d2) &&
	       d2 == ds.dim;
}

/* Gaussian clusters in 128 dimensions, queries from the same clusters. */
void make_synth(Dataset &ds, size_t nb, size_t nq)
{
	std::mt19937_64 rng(2024);
	std::uniform_real_distribution<float> uni(-1, 1);
	std::normal_distribution<float> gauss(0, 0.35f);
	const size_t clusters = 50;
	std::vector<float> centres(clusters * 128);

	ds.name = "synthetic-128";
	ds.dim = 128;
	ds.nb = nb;
	ds.nq = nq;
	for (auto &c : centres)
		c = uni(rng);
	auto fill = [&](std::vector<float> &v, size_t n) {
		v.resize(n * 128);
		for (size_t i = 0; i < n; i++) {
			const float *c = &centres[(rng() % clusters) * 128];
			for (size_t d = 0; d < 128; d++)
				v[i * 128 + d] = c[d] + gauss(rng);
		}
	};
	fill(ds.base, nb);
	fill(ds.queries, nq);
}

uint64_t checksum(const std::vector<float> &v)
{
	uint64_t h = 1469598103934665603ull;
	const unsigned char *p = (const unsigned char *)v.data();

	for (size_t i = 0; i < v.size() * sizeof(float); i += 61)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

/*
 * Exact neighbours by brute force on every core, with hnswlib's L2 kernel
 * (independent of the code under test; faiss' flat index would do too, but
 * Debian's reference BLAS makes it take minutes). Cached on disk.
 */
void ground_truth(Dataset &ds, const std::string &outdir)
{
	std::string path = outdir + "/" + ds.name + ".gt";
	uint64_t key[4] = { ds.nb, ds.nq, ds.dim,
			    checksum(ds.base) ^ checksum(ds.queries) };
	std::ifstream in(path, std::ios::binary);
	uint64_t have[4];

	ds.gt.resize(ds.nq * kK);
	if (in.read((char *)have, sizeof(have)) &&
	    !memcmp(have, key, sizeof(key)) &&
	    in.read((char *)ds.gt.data(), ds.gt.size() * sizeof(int))) {
		printf("# %s: cached ground truth\n", ds.name.c_str());
		return;
	}
	double t0 = now_s();
	hnswlib::L2Space space(ds.dim);
	auto dist = space.get_dist_func();
	void *param = space.get_dist_func_param();

#pragma omp parallel for schedule(dynamic, 16) num_threads(omp_get_num_procs())
	for (size_t q = 0; q < ds.nq; q++) {
		std::vector<std::pair<float, int>> best;
		const float *qv = &ds.queries[q * ds.dim];

		for (size_t i = 0; i < ds.nb; i++) {
			float d = dist(qv, &ds.base[i * ds.dim], param);

			if (best.size() < kK || d < best.front().first) {
				best.emplace_back(d, (int)i);
				std::push_heap(best.begin(), best.end());
				if (best.size() > kK) {
					std::pop_heap(best.begin(), best.end());
					best.pop_back();
				}
			}
		}
		std::sort_heap(best.begin(), best.end());
		for (unsigned k = 0; k < kK; k++)
			ds.gt[q * kK + k] = best[k].second;
	}
	std::ofstream out(path, std::ios::binary);
	out.write((const char *)key, sizeof(key));
	out.write((const char *)ds.gt.data(), ds.gt.size() * sizeof(int));
	printf("# %s: ground truth computed in %.1f s\n", ds.name.c_str(),
	       now_s() - t0);
}

/* One library behind three calls. */
struct Lib {
	virtual ~Lib() = default;
	virtual void build(const Dataset &ds) = 0;
	virtual void set_ef(unsigned ef) = 0;
	virtual void search(const float *q, int64_t *ids) = 0;
};

struct VexfsLib : Lib {
	struct vxb *b = nullptr;
	unsigned ef = 0;
	unsigned long long out[kK];

	void build(const Dataset &ds) override
	{
		b = vxb_create(ds.dim, kM, kEfConstruction, kSeed);
		for (size_t i = 0; i < ds.nb; i++)
			vxb_add(b, i, &ds.base[i * ds.dim]);
		vxb_build(b);
	}
	void set_ef(unsigned e) override
	{
		ef = e;
	}
	void search(const float *q, int64_t *ids) override
	{
		int n = vxb_search(b, q, kK, ef, out);

		for (int i = 0; i < (int)kK; i++)
			ids[i] = i < n ? (int64_t)out[i] : -1;
	}
	~VexfsLib() override
	{
		if (b)
			vxb_destroy(b);
	}
};

struct HnswLib : Lib {
	hnswlib::L2Space *space = nullptr;
	hnswlib::HierarchicalNSW<float> *index = nullptr;

	void build(const Dataset &ds) override
	{
		space = new hnswlib::L2Space(ds.dim);
		index = new hnswlib::HierarchicalNSW<float>(
			space, ds.nb, kM, kEfConstruction, kSeed);
		for (size_t i = 0; i < ds.nb; i++)
			index->addPoint(&ds.base[i * ds.dim], i);
	}
	void set_ef(unsigned ef) override
	{
		index->setEf(ef);
	}
	void search(const float *q, int64_t *ids) override
	{
		auto res = index->searchKnn(q, kK);
		int i = (int)res.size();

		for (int j = i; j < (int)kK; j++)
			ids[j] = -1;
		while (!res.empty()) {
			ids[--i] = (int64_t)res.top().second;
			res.pop();
		}
	}
	~HnswLib() override
	{
		delete index;
		delete space;
	}
};

struct FaissLib : Lib {
	faiss::IndexHNSWFlat *index = nullptr;
	float dist[kK];

	void build(const Dataset &ds) override
	{
		index = new faiss::IndexHNSWFlat(ds.dim, kM);
		index->hnsw.efConstruction = kEfConstruction;
		index->add(ds.nb, ds.base.data());
	}
	void set_ef(unsigned ef) override
	{
		index->hnsw.efSearch = ef;
	}
	void search(const float *q, int64_t *ids) override
	{
		index->search(1, q, kK, dist, ids);
	}
	~FaissLib() override
	{
		delete index;
	}
};

Lib *make_lib(const std::string &name)
{
	if (name == "vexfs")
		return new VexfsLib;
	if (name == "hnswlib")
		return new HnswLib;
	if (name == "faiss")
		return new FaissLib;
	return nullptr;
}

/*
 * Heap bytes in use (malloc'd plus mmapped). Resident-set deltas would miss
 * an index built in memory a previous data set's indexes gave back.
 */
size_t heap_bytes()
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

struct Timing {
	double total = 1e30;
	std::vector<double> lat;
	size_t hits = 0;
};

/* One pass of every query through @lib. */
Timing time_queries(Lib *lib, const Dataset &ds)
{
	Timing t;
	int64_t ids[kK];

	t.lat.resize(ds.nq);
	double start = now_s();
	for (size_t q = 0; q < ds.nq; q++) {
		double t0 = now_s();

		lib->search(&ds.queries[q * ds.dim], ids);
		t.lat[q] = now_s() - t0;
		for (unsigned i = 0; i < kK; i++)
			for (unsigned j = 0; j < kK; j++)
				t.hits += ids[i] == ds.gt[q * kK + j];
	}
	t.total = now_s() - start;
	return t;
}

/*
 * Build every library's index (timing it and the resident memory it adds),
 * then sweep ef. Within a sweep point the libraries take turns, round after
 * round, in a rotating order, and each keeps its fastest round: noise from
 * other work on the machine then hits all of them alike.
 */
std::vector<Row> run_all(const std::vector<std::string> &names,
			 const Dataset &ds, const std::vector<unsigned> &efs,
			 unsigned rounds)
{
	std::vector<std::unique_ptr<Lib>> libs;
	std::vector<double> build_s, build_cpu_s;
	std::vector<size_t> index_bytes;
	std::vector<Row> rows;
	int64_t ids[kK];

	omp_set_num_threads(1);
	for (const std::string &name : names) {
		size_t heap0 = heap_bytes();
		double t0 = now_s(), c0 = cpu_s();

		libs.emplace_back(make_lib(name));
		libs.back()->build(ds);
		build_s.push_back(now_s() - t0);
		build_cpu_s.push_back(cpu_s() - c0);
		index_bytes.push_back(heap_bytes() - heap0);
		printf("# %s: %s built in %.2f s (%.2f s CPU)\n",
		       ds.name.c_str(), name.c_str(), build_s.back(),
		       build_cpu_s.back());
		fflush(stdout);
	}
	for (unsigned ef : efs) {
		std::vector<Timing> best(libs.size());

		for (auto &lib : libs) {
			lib->set_ef(ef);
			for (size_t q = 0; q < std::min<size_t>(ds.nq, 200);
			     q++)
				lib->search(&ds.queries[q * ds.dim], ids);
		}
		for (unsigned round = 0; round < rounds; round++) {
			for (size_t k = 0; k < libs.size(); k++) {
				size_t i = (k + round) % libs.size();
				Timing t = time_queries(libs[i].get(), ds);

				if (t.total < best[i].total)
					best[i] = std::move(t);
			}
		}
		for (size_t i = 0; i < libs.size(); i++) {
			Timing &t = best[i];
			Row r;

			std::sort(t.lat.begin(), t.lat.end());
			r.lib = names[i];
			r.data = ds.name;
			r.ef = ef;
			r.recall = (double)t.hits / (ds.nq * kK);
			r.qps = ds.nq / t.total;
			r.p50_us = t.lat[ds.nq / 2] * 1e6;
			r.p99_us = t.lat[ds.nq * 99 / 100] * 1e6;
			r.build_s = build_s[i];
			r.index_mb = index_bytes[i] / 1048576.0;
			r.bytes_per_vec = (double)index_bytes[i] / ds.nb;
			rows.push_back(r);
		}
	}
	return rows;
}

/* QPS at @target recall, interpolated on the sweep (0 if never reached). */
double qps_at(const std::vector<Row> &rows, const std::string &lib,
	      double target, double *recall_out)
{
	const Row *prev = nullptr;

	for (const Row &r : rows) {
		if (r.lib != lib)
			continue;
		if (r.recall >= target) {
			*recall_out = r.recall;
			if (!prev || prev->recall >= target)
				return r.qps;
			double t = (target - prev->recall) /
				   (r.recall - prev->recall);
			*recall_out = target;
			return std::exp(
				std::log(prev->qps) +
				t * (std::log(r.qps) - std::log(prev->qps)));
		}
		prev = &r;
	}
	return 0;
}

void plot(const std::string &outdir, const std::string &data,
	  const std::vector<std::string> &libs)
{
	std::string gp = outdir + "/" + data + ".gp";
	std::ofstream f(gp);

	f << "set terminal png size 900,600 noenhanced\n"
	  << "set output '" << outdir << "/" << data << ".png'\n"
	  << "set title 'recall@10 vs QPS, " << data
	  << " (1 thread, M=16, ef_construction=100)'\n"
	  << "set xlabel 'recall@10'\nset ylabel 'queries per second'\n"
	  << "set logscale y\nset grid\nset key bottom left\n"
	  << "set datafile separator ','\nplot ";
	for (size_t i = 0; i < libs.size(); i++)
		f << (i ? ", " : "") << "'< grep \"^" << libs[i] << "," << data
		  << ",\" " << outdir
		  << "/ann.csv' using 4:5 with linespoints title '" << libs[i]
		  << "'";
	f << "\n";
	f.close();
	if (system(("gnuplot " + gp).c_str()))
		fprintf(stderr, "gnuplot failed; the CSV is still there\n");
}

} // namespace

int main(int argc, char **argv)
{
	std::vector<std::string> datas = { "fashion", "synth" };
	std::vector<std::string> libs = { "vexfs", "hnswlib", "faiss" };
	std::vector<unsigned> efs = {
		10, 16, 24, 32, 48, 64, 96, 128, 192, 256
	};
	std::string outdir = "build/bench";
	size_t max_queries = 0;
	unsigned rounds = 3;

	for (int i = 1; i + 1 < argc; i += 2) {
		std::string opt = argv[i], val = argv[i + 1];

		if (opt == "--data")
			datas = split(val, ',');
		else if (opt == "--libs")
			libs = split(val, ',');
		else if (opt == "--out")
			outdir = val;
		else if (opt == "--rounds")
			rounds = std::max(1ul,
					  strtoul(val.c_str(), nullptr, 10));
		else if (opt == "--queries")
			max_queries = strtoul(val.c_str(), nullptr, 10);
		else if (opt == "--ef") {
			efs.clear();
			for (auto &e : split(val, ','))
				efs.push_back(strtoul(e.c_str(), nullptr, 10));
		} else {
			fprintf(stderr,
				"usage: %s [--data fashion,synth] [--libs vexfs,hnswlib,faiss] [--ef 10,16,...] [--queries N] [--rounds R] [--out DIR]\n",
				argv[0]);
			return 2;
		}
	}
	mkdir(outdir.c_str(), 0755);
	printf("# VexFS distance implementation: %s; %d CPUs, each library single-threaded\n",
	       vxb_impl(), omp_get_num_procs());

	std::vector<Row> all;
	for (const std::string &which : datas) {
		Dataset ds;

		if (which == "fashion") {
			if (!load_fashion(ds)) {
				fprintf(stderr,
					"Fashion-MNIST not found: apt-get install dataset-fashion-mnist\n");
				continue;
			}
		} else {
			make_synth(ds, 100000, 10000);
		}
		ground_truth(ds, outdir);
		if (max_queries && max_queries < ds.nq)
			ds.nq = max_queries;
		printf("# %s: %zu base vectors, %zu queries, %zu dims\n",
		       ds.name.c_str(), ds.nb, ds.nq, ds.dim);
		std::vector<Row> rows = run_all(libs, ds, efs, rounds);
		std::stable_sort(rows.begin(), rows.end(),
				 [&](const Row &a, const Row &b) {
					 return std::find(libs.begin(),
							  libs.end(), a.lib) <
						std::find(libs.begin(),
							  libs.end(), b.lib);
				 });

		printf("\n%-8s %5s %8s %9s %9s %9s %8s %9s %8s\n", "library",
		       "ef", "recall", "QPS", "p50(us)", "p99(us)", "build(s)",
		       "index(MB)", "B/vec");
		for (const Row &r : rows)
			printf("%-8s %5u %8.4f %9.0f %9.1f %9.1f %8.2f %9.1f %8.0f\n",
			       r.lib.c_str(), r.ef, r.recall, r.qps, r.p50_us,
			       r.p99_us, r.build_s, r.index_mb,
			       r.bytes_per_vec);
		for (double target : { 0.90, 0.95, 0.99 }) {
			double rv, rh;
			double v = qps_at(rows, "vexfs", target, &rv);
			double h = qps_at(rows, "hnswlib", target, &rh);
			double f = qps_at(rows, "faiss", target, &rh);

			printf("# at recall %.2f: QPS vexfs %.0f, hnswlib %.0f, faiss %.0f; vexfs/hnswlib = %.2fx\n",
			       target, v, h, f, h > 0 ? v / h : 0.0);
		}
		all.insert(all.end(), rows.begin(), rows.end());
	}

	std::ofstream csv(outdir + "/ann.csv");
	csv << "library,dataset,ef,recall,qps,p50_us,p99_us,build_s,index_mb,bytes_per_vector\n";
	for (const Row &r : all)
		csv << r.lib << "," << r.data << "," << r.ef << "," << r.recall
		    << "," << r.qps << "," << r.p50_us << "," << r.p99_us << ","
		    << r.build_s << "," << r.index_mb << "," << r.bytes_per_vec
		    << "\n";
	csv.close();
	std::vector<std::string> seen;
	for (const Row &r : all)
		if (std::find(seen.begin(), seen.end(), r.data) == seen.end())
			seen.push_back(r.data);
	for (const std::string &d : seen)
		plot(outdir, d, libs);
	printf("# wrote %s/ann.csv and one PNG per data set\n", outdir.c_str());
	return 0;
}
