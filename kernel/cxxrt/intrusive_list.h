/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An intrusive doubly linked list: an element derives from ListNode<T>, so
 * linking never allocates and unlinking cannot fail. The list owns nothing.
 * A type that sits in two lists derives twice, with a different Tag each.
 */
#pragma once

#include "utility.h"

namespace crono {

template <typename T, typename Tag = T> class IntrusiveList;

template <typename T, typename Tag = T> class ListNode {
public:
	ListNode() noexcept = default;
	ListNode(const ListNode &) = delete;
	ListNode &operator=(const ListNode &) = delete;
	~ListNode() { unlink(); }

	bool is_linked() const noexcept { return next_ != this; }
	void unlink() noexcept
	{
		prev_->next_ = next_;
		next_->prev_ = prev_;
		next_ = prev_ = this;
	}

private:
	friend class IntrusiveList<T, Tag>;
	ListNode *next_ = this;
	ListNode *prev_ = this;
};

template <typename T, typename Tag> class IntrusiveList {
	using Node = ListNode<T, Tag>;

public:
	IntrusiveList() noexcept = default;
	IntrusiveList(const IntrusiveList &) = delete;
	IntrusiveList &operator=(const IntrusiveList &) = delete;

	bool empty() const noexcept { return !head_.is_linked(); }
	T *first() const noexcept
	{
		return empty() ? nullptr : owner(head_.next_);
	}

	void push_back(T &item) noexcept { link_before(head_, item); }
	/* Links item in front of position (nullptr: at the end). */
	void insert_before(T *position, T &item) noexcept
	{
		link_before(position ? static_cast<Node &>(*position) : head_,
			    item);
	}
	static void remove(T &item) noexcept
	{
		static_cast<Node &>(item).unlink();
	}

	/* Unlinks and returns the first element, or nullptr. */
	T *pop_front() noexcept
	{
		T *item = first();
		if (item)
			remove(*item);
		return item;
	}

	class Iterator {
	public:
		explicit Iterator(Node *node) noexcept : node_(node) {}
		T &operator*() const noexcept { return *owner(node_); }
		T *operator->() const noexcept { return owner(node_); }
		Iterator &operator++() noexcept
		{
			node_ = node_->next_;
			return *this;
		}
		bool operator!=(const Iterator &other) const noexcept
		{
			return node_ != other.node_;
		}

	private:
		Node *node_;
	};

	/* Do not unlink the current element while iterating. */
	Iterator begin() const noexcept { return Iterator(head_.next_); }
	Iterator end() const noexcept
	{
		return Iterator(const_cast<Node *>(&head_));
	}

private:
	static void link_before(Node &position, T &item) noexcept
	{
		Node &node = item;
		node.unlink();
		node.next_ = &position;
		node.prev_ = position.prev_;
		position.prev_->next_ = &node;
		position.prev_ = &node;
	}

	static T *owner(Node *node) noexcept { return static_cast<T *>(node); }

	Node head_;
};

} // namespace crono
