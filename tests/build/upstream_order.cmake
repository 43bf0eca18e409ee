# SPDX-License-Identifier: GPL-2.0-only
#
# src/hyp keeps upstream's order of functions, so that a pKVM developer can
# diff a file against arch/arm64/kvm/hyp/nvhe/ and port a patch by hand.
# The lists below are 6.18's order for the functions we have (left-out
# functions do not count); src/hyp/README says what was left out and why.
#
#   cmake -DHYP_DIR=<src/hyp> -P upstream_order.cmake

set(pkvm.c_order
  vm_handle_to_idx idx_to_vm_handle pkvm_hyp_vm_table_init get_vm_by_handle
  pkvm_load_hyp_vcpu pkvm_put_hyp_vcpu pkvm_get_loaded_hyp_vcpu
  get_pkvm_hyp_vm put_pkvm_hyp_vm get_np_pkvm_hyp_vm
  unpin_host_vcpu unpin_host_vcpus
  init_pkvm_hyp_vm pkvm_vcpu_init_sve init_pkvm_hyp_vcpu
  find_free_vm_table_entry allocate_vm_table_entry __insert_vm_table_entry
  insert_vm_table_entry remove_vm_table_entry
  map_donated_memory_noclear map_donated_memory __unmap_donated_memory
  unmap_donated_memory unmap_donated_memory_noclear
  __pkvm_reserve_vm __pkvm_unreserve_vm
  __pkvm_init_vm __pkvm_init_vcpu
  teardown_donated_memory __pkvm_teardown_vm)

set(hyp-main.c_order
  handle___pkvm_vcpu_load handle___pkvm_vcpu_put handle___pkvm_tlb_flush_vmid
  handle___pkvm_init handle___pkvm_host_share_hyp
  handle___pkvm_host_unshare_hyp handle___pkvm_prot_finalize
  handle___pkvm_reserve_vm handle___pkvm_unreserve_vm handle___pkvm_init_vm
  handle___pkvm_init_vcpu handle___pkvm_teardown_vm handle_host_hcall)

if(NOT EXISTS ${HYP_DIR}/README)
  message(FATAL_ERROR "src/hyp/README is missing: it lists every deliberate "
          "difference from upstream")
endif()

set(failed)
foreach(file pkvm.c hyp-main.c)
  file(STRINGS ${HYP_DIR}/${file} lines)
  # A definition: a line that starts a type at column 0 and names the
  # function before its '(' (kernel style puts the opening brace below).
  set(found)
  foreach(line IN LISTS lines)
    if(line MATCHES "^(extern|typedef) ")
      continue()
    endif()
    if(line MATCHES "^[a-z][^;=]*[ *]([A-Za-z_0-9]+)\\(")
      list(APPEND found ${CMAKE_MATCH_1})
    endif()
  endforeach()
  if(NOT found STREQUAL "${${file}_order}")
    string(REPLACE ";" " " want "${${file}_order}")
    string(REPLACE ";" " " got "${found}")
    string(APPEND failed "src/hyp/${file}: functions are not in upstream's "
           "order\n  want: ${want}\n  got:  ${got}\n")
  endif()
endforeach()

# Upstream counts a hyp VM's vCPUs in its struct kvm, nowhere else.
file(READ ${HYP_DIR}/../../include/hyp/nvhe/pkvm.h header)
if(header MATCHES "nr_vcpus;")
  string(APPEND failed "nvhe/pkvm.h: struct pkvm_hyp_vm has a vCPU count of "
         "its own; upstream uses kvm.created_vcpus\n")
endif()

if(failed)
  message(FATAL_ERROR "${failed}")
endif()
