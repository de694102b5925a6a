// SPDX-License-Identifier: GPL-2.0
/*
 * The driver's page-table logic on a real, DMA-mapped sg table: the walk is
 * the glue's crono_ksgt_walk_dma(), the two passes are those of
 * SgBuffer::write_page_table(), the sink is a kernel array instead of the
 * user's.
 */
#include "sg_helper.h"

#include "cxxrt/errno.h"
#include "page_table.h"

using namespace crono;

namespace {

class KernelTable final : public PageTableSink {
public:
	KernelTable(u64 *table, u64 size) noexcept : table_(table), size_(size)
	{
	}
	Result<void> write(u64 first_index,
			   Span<const u64> entries) noexcept override
	{
		if (first_index > size_ || entries.size() > size_ - first_index)
			return Error::from_errno(-EFAULT);
		for (size_t i = 0; i < entries.size(); i++)
			table_[first_index + i] = entries[i];
		return {};
	}

private:
	u64 *table_;
	u64 size_;
};

template <typename Consumer> struct Walk {
	Consumer &consumer;
	int error = 0;

	static int visit(void *ctx, crono_u64 addr, crono_u64 len)
	{
		auto *walk = static_cast<Walk *>(ctx);
		auto added = walk->consumer.add(DmaSegment{ addr, len });
		walk->error = added.to_errno();
		return walk->error != 0;
	}

	int run(const struct crono_sgt *sgt) noexcept
	{
		crono_ksgt_walk_dma(sgt, &Walk::visit, this);
		return error;
	}
};

} // namespace

extern "C" int crono_kt_page_table_from_sgt(const struct crono_sgt *sgt,
					    crono_u64 entries, crono_u64 *table,
					    crono_u64 *staging,
					    crono_usize staging_entries)
{
	PageTableCheck check(entries);
	int ret = Walk<PageTableCheck>{ check }.run(sgt);
	if (ret)
		return ret;
	ret = check.verify().to_errno();
	if (ret)
		return ret;

	KernelTable sink(table, entries);
	PageTableWriter writer(entries, Span<u64>(staging, staging_entries),
			       sink);
	ret = Walk<PageTableWriter>{ writer }.run(sgt);
	if (ret)
		return ret;
	return writer.finish().to_errno();
}
